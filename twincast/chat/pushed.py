"""The JSON schema for events pushed to us (local endpoint, grabber bridge).

    {"text": "多少钱?", "user": "小王"}                       # the short form
    {"v": 1, "kind": "chat|gift|like|enter|follow", "id": "abc",  # the full form
     "user": {"id": "u1", "name": "小王"}, "text": "...",
     "gift": {"name": "rose", "count": 3, "value": 0.3, "currency": "CNY"},
     "like_count": 5, "ts": 1767225600.0}

Anything else is refused with a reason. `trusted=False` (the bridge) keeps the
event no more than chat text: gift values become 0, superchat/system kinds are
refused, so an unofficial grabber can never buy priority or speak for the room."""

from __future__ import annotations

import itertools
import json
from typing import Any

from twincast.chat.events import ChatEvent, Gift, make_event

MAX_JSON_BYTES = 64 * 1024
TRUSTED_KINDS = {"chat", "gift", "like", "enter", "follow", "superchat"}
UNTRUSTED_KINDS = {"chat", "gift", "like", "enter", "follow"}
_counter = itertools.count(1)


class PushRejected(ValueError):
    pass


def _str(v: Any, what: str, default: str | None = None) -> str:
    if v is None and default is not None:
        return default
    if isinstance(v, (str, int)) and not isinstance(v, bool):
        return str(v)
    raise PushRejected(f"{what} must be a string")


def _num(v: Any, what: str, default: float = 0) -> float:
    if v is None:
        return default
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v != v or v in (float("inf"), float("-inf")):
        raise PushRejected(f"{what} must be a finite number")
    return v


def parse_pushed(data: bytes | str, platform: str, *, trusted: bool, now_s: float) -> ChatEvent:
    if isinstance(data, bytes):
        if len(data) > MAX_JSON_BYTES:
            raise PushRejected(f"message over {MAX_JSON_BYTES} bytes")
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PushRejected("not UTF-8") from exc
    elif len(data) > MAX_JSON_BYTES:
        raise PushRejected(f"message over {MAX_JSON_BYTES} bytes")
    try:
        obj = json.loads(data)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise PushRejected(f"not JSON: {exc}") from exc
    if not isinstance(obj, dict):
        raise PushRejected("expected a JSON object")
    if obj.get("v", 1) != 1:
        raise PushRejected("unsupported schema version (want v=1)")
    kind = _str(obj.get("kind"), "kind", "chat")
    allowed = TRUSTED_KINDS if trusted else UNTRUSTED_KINDS
    if kind not in allowed:
        raise PushRejected(f"kind {kind!r} not accepted here (allowed: {sorted(allowed)})")
    user = obj.get("user", "")
    if isinstance(user, dict):
        name = _str(user.get("name"), "user.name", "")
        uid = _str(user.get("id"), "user.id", name)
    else:
        name = _str(user, "user", "")
        uid = name
    text = _str(obj.get("text"), "text", "")
    gift = None
    if kind in ("gift", "superchat") or obj.get("gift") is not None:
        g = obj.get("gift") or {}
        if not isinstance(g, dict):
            raise PushRejected("gift must be an object")
        count = int(_num(g.get("count"), "gift.count", 1))
        if count < 0:
            raise PushRejected("gift.count must be >= 0")
        value = float(_num(g.get("value"), "gift.value", 0)) if trusted else 0.0
        gift = Gift(_str(g.get("name"), "gift.name", "gift")[:64], count, max(0.0, value),
                    _str(g.get("currency"), "gift.currency", "")[:8] if trusted else "")
    like_count = int(_num(obj.get("like_count"), "like_count", 1 if kind == "like" else 0))
    ts = float(_num(obj.get("ts"), "ts", now_s))
    msg_id = _str(obj.get("id", obj.get("msg_id")), "id", "")
    if not msg_id:
        msg_id = f"{platform}-{next(_counter)}"  # nothing to dedupe against: make it unique
    raw = {"pushed": obj} if trusted else {"pushed": obj, "untrusted": True}
    return make_event(platform, kind, msg_id, uid, name, text, gift=gift, like_count=like_count, ts=ts, raw=raw)
