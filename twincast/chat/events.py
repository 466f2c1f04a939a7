"""One normalised chat event for every platform.

Text is cleaned once, here, so nothing downstream (the reply model, the
caption renderer, logs) ever sees control characters, bidi overrides or a
5,000-character wall: control and format characters are removed (except the
zero-width joiner and variation selectors that emoji need), whitespace runs
become one space, and the text is capped at MAX_TEXT_CHARS with the original
length noted in raw["_twincast"]."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

KINDS = ("chat", "gift", "like", "enter", "follow", "superchat", "system")
MAX_TEXT_CHARS = 500
MAX_NAME_CHARS = 64

# How much an event is worth keeping when the queue is full (higher survives).
# Likes and enters are aggregate noise; a question in chat may be a sale; money is never dropped first.
_RANK = {"like": 0, "enter": 0, "system": 0, "follow": 1, "chat": 2, "gift": 3, "superchat": 3}
RANKS = 4

_KEEP_FORMAT = {"\u200d"}  # ZWJ joins emoji sequences (family, flags of professions)
_SPACES = {"\n", "\r", "\t", "\v", "\f", "\u2028", "\u2029", "\x85"}


@dataclass(frozen=True, slots=True)
class ChatUser:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Gift:
    name: str
    count: int
    value: float  # total value of the gift event in `currency` units (0.0 when free or unknown)
    currency: str  # ISO 4217 where known ("CNY", "USD"); "" when unknown


@dataclass(slots=True)
class ChatEvent:
    platform: str
    kind: str
    msg_id: str
    user: ChatUser
    text: str = ""
    gift: Gift | None = None
    like_count: int = 0
    ts: float = 0.0  # seconds since the Unix epoch (the platform's time when it gives one)
    raw: dict[str, Any] = field(default_factory=dict)


def value_rank(event: ChatEvent) -> int:
    return _RANK.get(event.kind, 0)


def clean_text(text: object, limit: int = MAX_TEXT_CHARS) -> tuple[str, int]:
    """-> (clean text, original length in code points after cleaning, before the cap)."""
    if text is None:
        return "", 0
    s = unicodedata.normalize("NFC", str(text))
    out: list[str] = []
    space = False
    for ch in s:
        if ch in _SPACES or ch.isspace():
            space = bool(out)
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cs", "Co", "Cn") or (cat == "Cf" and ch not in _KEEP_FORMAT):
            continue  # controls, lone surrogates, private use, unassigned, bidi overrides, zero-width tricks
        if space:
            out.append(" ")
            space = False
        out.append(ch)
    full = "".join(out)
    return full[:limit], len(full)


def make_event(
    platform: str,
    kind: str,
    msg_id: object,
    user_id: object,
    user_name: object,
    text: object = "",
    *,
    gift: Gift | None = None,
    like_count: int = 0,
    ts: float = 0.0,
    raw: dict[str, Any] | None = None,
) -> ChatEvent:
    """Build a ChatEvent with cleaned text and name; the only way adapters make events."""
    if kind not in KINDS:
        raise ValueError(f"unknown chat event kind {kind!r}")
    raw = dict(raw) if raw else {}
    clean, n = clean_text(text)
    if n > MAX_TEXT_CHARS:
        raw["_twincast"] = {"text_truncated_from_chars": n, "text_cap_chars": MAX_TEXT_CHARS}
    name, _ = clean_text(user_name, MAX_NAME_CHARS)
    uid, _ = clean_text(user_id, 128)
    return ChatEvent(
        platform=platform,
        kind=kind,
        msg_id=str(msg_id) if msg_id is not None else "",
        user=ChatUser(uid, name),
        text=clean,
        gift=gift,
        like_count=max(0, int(like_count or 0)),
        ts=float(ts or 0.0),
        raw=raw,
    )
