"""One utterance being spoken: audio and mouth frames filled by the speech
worker thread, drained frame by frame by the room loop.

Bounded: the worker blocks when it is more than MAX_AHEAD_S of media ahead of
what the room has played, and played audio is released, so a long line never
sits in memory whole. Cancel stops the worker at its next chunk and the room
at its next frame."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from twincast.room.speech_queue import Utterance

MAX_AHEAD_S = 8.0
FADE_S = 0.01  # a cut mid-word ramps down instead of clicking


@dataclass
class Playback:
    utterance: Utterance
    samples_per_frame: int
    rate: int
    cancel: threading.Event = field(default_factory=threading.Event)
    started_frame: int | None = None
    error: str = ""
    _audio: deque = field(default_factory=deque)  # played parts are released from the left
    _released: int = 0  # samples released before _audio[0]
    _mouths: list[int] = field(default_factory=list)
    _buffered: int = 0  # samples pushed in total
    _played: int = 0  # frames handed to the room
    _done: bool = False
    _cond: threading.Condition = field(default_factory=threading.Condition)
    # Clause ends: (sample where the clause's pause ends, text of the clauses still to come).
    # A soft barge-in stops the line at the next of these and re-queues the rest.
    _boundaries: list = field(default_factory=list)

    # --- worker side -------------------------------------------------------------------------------

    def mark_boundary(self, remaining_text: str) -> None:
        """The audio pushed so far ends a clause (and its pause); remaining_text is what follows."""
        with self._cond:
            self._boundaries.append((self._buffered, remaining_text))

    def boundary_at_frame(self, k: int) -> str | None:
        """The text still to say when frame k is the last of a clause (None: not a boundary)."""
        with self._cond:
            end = (k + 1) * self.samples_per_frame
            for sample, rest in self._boundaries:
                if end - self.samples_per_frame < sample <= end:
                    return rest
            return None

    def push(self, pcm: np.ndarray, mouths: list[int]) -> bool:
        """Append audio and the mouths of the frames it completes. False when cancelled."""
        with self._cond:
            while not self.cancel.is_set() and self._buffered - self._played * self.samples_per_frame > MAX_AHEAD_S * self.rate:
                self._cond.wait(0.1)
            if self.cancel.is_set():
                return False
            self._audio.append(pcm.astype(np.float32))
            self._buffered += len(pcm)
            self._mouths += mouths
            self._cond.notify_all()
            return True

    def finish(self, error: str = "") -> None:
        with self._cond:
            self.error = error
            self._done = True
            self._cond.notify_all()

    # --- room side ---------------------------------------------------------------------------------

    def _ready(self) -> int:
        if self._done:  # the last, partial frame plays too (zero-padded)
            return -(-self._buffered // self.samples_per_frame) - self._played
        return max(0, min(self._buffered // self.samples_per_frame, len(self._mouths)) - self._played)

    def ready_frames(self) -> int:
        with self._cond:
            return self._ready()

    def wait_ready(self, timeout_s: float) -> bool:
        """Block (a worker thread, or a fake-clock test) until a frame can play or it is over."""
        with self._cond:
            return self._cond.wait_for(lambda: self._ready() > 0 or self._done or self.cancel.is_set(), timeout_s)

    def finished(self) -> bool:
        with self._cond:
            return self.cancel.is_set() or (self._done and self._ready() <= 0)

    @property
    def frames_played(self) -> int:
        return self._played

    def take_frame(self) -> tuple[int | None, np.ndarray]:
        """The next frame's mouth (None: the resting base frame) and its samples."""
        with self._cond:
            k = self._played
            lo = k * self.samples_per_frame
            audio = self._slice(lo, lo + self.samples_per_frame)
            mouth = self._mouths[k] if k < len(self._mouths) else None
            self._played += 1
            while self._audio and self._released + len(self._audio[0]) <= lo + self.samples_per_frame:
                self._released += len(self._audio.popleft())
            self._cond.notify_all()
            return mouth, audio

    def stop(self) -> np.ndarray:
        """Cancel; returns a FADE_S ramp-down of what would have played next."""
        with self._cond:
            self.cancel.set()
            lo = self._played * self.samples_per_frame
            n = int(FADE_S * self.rate)
            tail = self._slice(lo, lo + n)
            self._cond.notify_all()
        return tail * np.linspace(1.0, 0.0, n, dtype=np.float32)

    def _slice(self, lo: int, hi: int) -> np.ndarray:
        out = np.zeros(hi - lo, np.float32)
        pos = self._released
        for part in self._audio:
            a, b = max(lo, pos), min(hi, pos + len(part))
            if a < b:
                out[a - lo : b - lo] = part[a - pos : b - pos]
            pos += len(part)
            if pos >= hi:
                break
        return out
