"""The contract every speech engine keeps.

An engine synthesises one clause of already-normalised text in one language
and returns a Piece. It does no sentence splitting, no language detection and
no text normalisation: voice.stream does those once for every engine.
Engines are loaded lazily and are safe to call from one worker thread at a
time (the stream holds the engine's lock), or one per lane for an engine with
`models_per_lane` (lanes.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Protocol

from twincast.errors import TwincastError
from twincast.voice.speech import Piece


class EngineError(TwincastError):
    """An engine could not speak a piece (bad text, backend down, garbage back)."""


class Engine(Protocol):
    name: str
    langs: tuple[str, ...]
    lock: threading.Lock

    def synthesize(self, text: str, lang: str, speed: float = 1.0) -> Piece:
        """speed > 1 speaks faster (engines map it to their own length scale)."""
        ...


def pieces(engine: Engine, text: str, lang: str, speed: float) -> Iterator[Piece]:
    """The engine's own slices when it streams within a clause, else one piece.
    The first piece carries all the clause's phones."""
    stream = getattr(engine, "stream", None)
    if stream is not None:
        yield from stream(text, lang, speed)
    else:
        yield engine.synthesize(text, lang, speed)
