"""Drop redelivered events: Douyin retries webhooks, Twitch EventSub and
Bilibili resend after reconnects. Keyed on (platform, msg_id), bounded LRU so a
day-long room cannot grow it without limit."""

from __future__ import annotations

from collections import OrderedDict


class Deduper:
    def __init__(self, capacity: int = 100_000) -> None:
        self.capacity = capacity
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()
        self.duplicates = 0

    def is_duplicate(self, platform: str, msg_id: str) -> bool:
        """True if seen before (and counted); otherwise remembers it. Empty ids are never duplicates."""
        if not msg_id:
            return False
        key = (platform, msg_id)
        if key in self._seen:
            self._seen.move_to_end(key)
            self.duplicates += 1
            return True
        self._seen[key] = None
        if len(self._seen) > self.capacity:
            self._seen.popitem(last=False)
        return False

    def __len__(self) -> int:
        return len(self._seen)
