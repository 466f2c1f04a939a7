"""What the room will say next: a bounded priority queue of utterances.

Higher priority first, then first come first served. When full, the oldest
utterance of the lowest priority is dropped (a chat flood cannot grow memory
or starve the operator), and the drop is counted for status."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from twincast.errors import TwincastError

MAX_QUEUED = 64
MAX_CHARS = 2000  # one utterance; longer scripts are split into lines first

# Viewers' questions before thanks for gifts, before follows, before greetings,
# all before the script; the operator before everything (issue 5).
PRIORITY = {"idle": 0, "script": 10, "enter": 13, "follow": 15, "gift": 17, "chat": 20, "operator": 30}
VIEWER_SOURCES = frozenset({"chat", "gift", "follow", "enter"})


@dataclass
class Utterance:
    text: str
    priority: int = PRIORITY["script"]
    source: str = "script"  # script | chat | operator
    id: int = 0
    enqueued_ns: int = 0
    reply: bool = False  # a reply turn: starts with the audio disclosure


@dataclass
class SpeechQueue:
    capacity: int = MAX_QUEUED
    dropped: int = 0
    _items: list[Utterance] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def put(self, utterance: Utterance) -> Utterance:
        text = utterance.text.strip()
        if not text:
            raise TwincastError("the utterance is empty", "give some text to say")
        if len(text) > MAX_CHARS:
            raise TwincastError(f"the utterance is {len(text):,} characters long", f"send lines of at most {MAX_CHARS:,} characters")
        utterance.text = text
        utterance.id = next(self._ids)
        if len(self._items) >= self.capacity:
            lowest = min(u.priority for u in self._items)
            if utterance.priority < lowest:
                self.dropped += 1  # the newcomer is the least important: it goes
                return utterance
            victim = next(u for u in self._items if u.priority == lowest)
            self._items.remove(victim)
            self.dropped += 1
        self._items.append(utterance)
        return utterance

    def pop(self) -> Utterance | None:
        if not self._items:
            return None
        best = max(u.priority for u in self._items)
        item = next(u for u in self._items if u.priority == best)
        self._items.remove(item)
        return item

    def peek_priority(self) -> int | None:
        return max((u.priority for u in self._items), default=None)

    def clear(self, below: int | None = None) -> int:
        keep = [u for u in self._items if below is not None and u.priority >= below]
        n = len(self._items) - len(keep)
        self._items = keep
        return n

    def __len__(self) -> int:
        return len(self._items)

    def snapshot(self) -> list[dict]:
        return [{"id": u.id, "text": u.text[:80], "priority": u.priority, "source": u.source} for u in sorted(self._items, key=lambda u: -u.priority)]
