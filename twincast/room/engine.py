"""The room loop: one frame and one frame's audio per tick of the room clock.

Frame n is due at start + n / fps; its audio is samples [n*S, (n+1)*S) with
S = rate / fps exactly (48000/25, 48000/30), so video and audio pts never
drift apart. Speech is synthesised on a worker thread into a Playback; the
loop plays a frame of it when one is ready and the resting base frame with
silence otherwise. Rendering and encoding run on a media thread, off the
event loop, so the control API stays responsive."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from twincast.errors import TwincastError
from twincast.room.clock import Clock
from twincast.room.heap import startup_heap_frozen
from twincast.room.playback import Playback
from twincast.room.speech_threads import first_chunk_executor, speech_executor
from twincast.room.speech_queue import PRIORITY, VIEWER_SOURCES, SpeechQueue, Utterance

log = logging.getLogger(__name__)

NS = 1_000_000_000
LATENCY_WINDOW = 1000  # latencies kept for percentiles
WARM_FRAMES = 15  # the stream's first half second: until then the room's clock follows production
_DONE = object()  # a speaker's steps ran out in the first one


def percentile(values, q: float) -> float | None:  # noqa: ANN001
    return round(float(np.percentile(list(values), q)), 1) if values else None


@dataclass
class RoomStats:
    frames: int = 0
    late_frames: int = 0  # produced more than one frame period after their deadline
    late_ms: deque = field(default_factory=lambda: deque(maxlen=LATENCY_WINDOW))  # how late each of them began
    underruns: int = 0  # frames of an utterance that were not synthesised in time
    audio_samples: int = 0
    utterances: int = 0
    interrupts: int = 0
    failed_utterances: int = 0
    enqueue_to_audio_ms: deque = field(default_factory=lambda: deque(maxlen=LATENCY_WINDOW))
    interrupt_ms: deque = field(default_factory=lambda: deque(maxlen=LATENCY_WINDOW))


class Room:
    """produce(n, mouth, audio) renders, labels, encodes and fans out frame n (media thread);
    speak(playback) fills a Playback, or returns an iterator that does: its first step (up to the
    line's first audio, what a viewer waits for) runs on a thread at the room's priority, the rest
    on the lowered speech thread, which yields to the frames (speech_threads)."""

    def __init__(
        self,
        clock: Clock,
        fps: int,
        rate: int,
        produce: Callable[[int, int | None, np.ndarray], None],
        speak: Callable[[Playback], None],
        script: list[str] | None = None,
        loop_script: bool = True,
        await_speech: bool = False,
        inline_media: bool = False,
        speech: concurrent.futures.ThreadPoolExecutor | None = None,
        first: concurrent.futures.ThreadPoolExecutor | None = None,
    ) -> None:
        """speech: the executor the rest of a line runs on (default: a lowered one, speech_threads);
        first: the one a line starts on (default: one at the priority of the thread that makes the room)."""
        if rate % fps:
            raise TwincastError(f"{fps} fps does not divide the {rate} Hz audio rate into whole samples per frame", "use 24, 25, 30, 48, 50 or 60 fps")
        self.clock = clock
        self.fps = fps
        self.rate = rate
        self.spf = rate // fps
        self.produce = produce
        self.speak = speak
        self.script = list(script or [])
        self.loop_script = loop_script
        self.script_source: Callable[[], str | None] | None = None  # e.g. the run-of-show director
        self.await_speech = await_speech  # fake-clock runs: media time waits for synthesis
        self.inline_media = inline_media  # fake-clock runs with a trivial produce: skip the thread hop
        self.queue = SpeechQueue()
        self.stats = RoomStats()
        self.paused = False
        self.current: Playback | None = None
        self._script_pos = 0
        self._fade = np.zeros(0, np.float32)
        self._interrupt_at: int | None = None
        self._cut_at_boundary = False
        self.resumed = 0  # script lines cut at a sentence boundary and re-queued
        self._start_ns = 0
        self._stopping = False
        self._running = False  # between run()'s start and end: enqueue may start speech itself
        self._media = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="room-media")
        self._speech = speech or speech_executor()
        self._speech_first = first or first_chunk_executor()

    # --- control (call on the event loop thread) -------------------------------------------------

    def enqueue(self, text: str, priority: int | None = None, source: str = "operator", reply: bool = False) -> Utterance:
        u = Utterance(text=text, priority=PRIORITY.get(source, PRIORITY["operator"]) if priority is None else priority, source=source, enqueued_ns=self.clock.now_ns(), reply=reply)
        self.queue.put(u)
        # Barge-in: something more important than what is being said goes now.
        # The operator cuts in at once; a chat answer waits for the end of the
        # current sentence of the script, which then resumes where it stopped.
        if self.current is not None and u.priority > self.current.utterance.priority:
            if source in VIEWER_SOURCES and self.current.utterance.source == "script":
                self._cut_at_boundary = True
            else:
                self.interrupt()
        # Synthesis starts now, not at the next frame tick: up to a frame
        # period (33-40 ms) less before the first audio.
        if self._running:
            self._start_next()
        return u

    def interrupt(self) -> None:
        self._cut_at_boundary = False
        if self.current is None:
            return
        self._fade = self.current.stop()
        self.current = None
        self.stats.interrupts += 1
        self._interrupt_at = self.clock.now_ns()

    def pause(self) -> None:
        """Finish nothing new: the current line stops, the queue waits."""
        self.paused = True
        self.interrupt()

    def resume(self) -> None:
        self.paused = False

    def stop(self) -> None:
        self._stopping = True

    @property
    def is_running(self) -> bool:
        return self._running

    @property
    def state(self) -> str:
        return "paused" if self.paused else ("speaking" if self.current is not None else "idle")

    # --- the loop --------------------------------------------------------------------------------

    async def run(self, seconds: float | None = None) -> None:
        loop = asyncio.get_running_loop()
        limit = None if seconds is None else round(seconds * self.fps)
        with startup_heap_frozen():
            await self._loop(loop, limit)

    async def _loop(self, loop: asyncio.AbstractEventLoop, limit: int | None) -> None:
        self._start_ns = self.clock.now_ns()
        self._running = True
        try:
            while not self._stopping and (limit is None or self.stats.frames < limit):
                n = self.stats.frames
                if 0 < n <= WARM_FRAMES:
                    # x264's first frames take two to three periods at 1080x1920, and the stream's
                    # opening line (the audio disclosure) starts its mouths with them: while the
                    # pipeline warms up, a slow frame moves the clock's start instead of making the
                    # next frames late while the loop catches up. Only ever later, so a fake clock's
                    # exact schedule is untouched; from frame WARM_FRAMES on the clock is fixed.
                    self._start_ns = max(self._start_ns, self.clock.now_ns() - n * NS // self.fps)
                deadline = self._start_ns + n * NS // self.fps
                await self.clock.tick_until_ns(deadline)
                behind = self.clock.now_ns() - deadline
                if behind > NS // self.fps:
                    self.stats.late_frames += 1
                    self.stats.late_ms.append(behind / 1e6)
                self._start_next()
                mouth, audio = await self._frame_content(n, deadline, loop)
                if self.inline_media:
                    self.produce(n, mouth, audio)
                else:
                    await loop.run_in_executor(self._media, self.produce, n, mouth, audio)
                self.stats.frames += 1
                self.stats.audio_samples += len(audio)
        finally:
            self._running = False
            if self.current is not None:
                self.current.stop()
            self._speech_first.shutdown(wait=True, cancel_futures=True)
            self._speech.shutdown(wait=True, cancel_futures=True)
            self._media.shutdown(wait=True)

    def frame_deadline_ns(self, n: int) -> int:
        return self._start_ns + n * NS // self.fps

    @property
    def drift_frames(self) -> float:
        return self.stats.frames - self.stats.audio_samples / self.spf

    def _start_next(self) -> None:
        if self.current is not None or self.paused or self._stopping:
            return
        if not len(self.queue):
            line = self._next_script_line()
            if line:
                self.enqueue(line, source="script")  # which starts it
                return
        u = self.queue.pop()
        if u is None:
            return
        pb = Playback(u, self.spf, self.rate)
        self.current = pb
        self.stats.utterances += 1
        self._speech_first.submit(self._speak_safely, pb)

    def _next_script_line(self) -> str | None:
        """From the run-of-show director when there is one, else the fixed script."""
        if self.script_source is not None:
            return self.script_source()
        if not self.script:
            return None
        if self._script_pos >= len(self.script) and self.loop_script:
            self._script_pos = 0
        if self._script_pos >= len(self.script):
            return None
        self._script_pos += 1
        return self.script[self._script_pos - 1]

    def _resume(self, cut: Utterance, rest: str) -> None:
        """The unspoken rest of a script line goes back first in line among script lines."""
        self.queue.put(Utterance(text=rest, priority=cut.priority + 1, source=cut.source, enqueued_ns=self.clock.now_ns()))
        self.resumed += 1

    def _speak_safely(self, pb: Playback, rest: Iterator | None = None) -> None:
        try:
            if rest is None:
                steps = self.speak(pb)
                if isinstance(steps, Iterator) and next(steps, _DONE) is not _DONE:
                    self._speech.submit(self._speak_safely, pb, steps)
            else:
                for _ in rest:
                    pass
        except Exception as exc:  # noqa: BLE001 - one bad line must not stop a 24/7 room
            log.warning("could not say %r: %s", pb.utterance.text[:40], exc)
            log.debug("the speech worker failed", exc_info=True)
            pb.finish(str(exc))

    async def _frame_content(self, n: int, deadline: int, loop: asyncio.AbstractEventLoop) -> tuple[int | None, np.ndarray]:
        silence = np.zeros(self.spf, np.float32)
        if self._fade.size:  # the ramp-down of an interrupted line
            silence[: self._fade.size] = self._fade[: self.spf]
            self._fade = np.zeros(0, np.float32)
        if self._interrupt_at is not None:
            self.stats.interrupt_ms.append(max(0, deadline - self._interrupt_at) / 1e6)
            self._interrupt_at = None
        pb = self.current
        if pb is None:
            return None, silence
        if self.await_speech and not pb.ready_frames():
            await loop.run_in_executor(None, pb.wait_ready, 30.0)
        if pb.ready_frames() > 0:
            if pb.started_frame is None:
                pb.started_frame = n
                self.stats.enqueue_to_audio_ms.append(max(0, deadline - pb.utterance.enqueued_ns) / 1e6)
            k = pb.frames_played
            frame = pb.take_frame()
            if self._cut_at_boundary:
                rest = pb.boundary_at_frame(k)
                if rest is not None:
                    self._cut_at_boundary = False
                    pb.stop()
                    self.current = None
                    if rest.strip():
                        self._resume(pb.utterance, rest)
                    self._start_next()  # the viewer's answer, without waiting for the next tick
            return frame
        if pb.finished():
            if pb.error:
                self.stats.failed_utterances += 1
            self.current = None
            return None, silence
        if pb.started_frame is not None:
            self.stats.underruns += 1
        return None, silence

    def status(self) -> dict:
        s = self.stats
        return {
            "state": self.state,
            "frames": s.frames,
            "room_seconds": round(s.frames / self.fps, 2),
            "queue": self.queue.snapshot(),
            "queue_dropped": self.queue.dropped,
            "speaking": None if self.current is None else {"id": self.current.utterance.id, "text": self.current.utterance.text[:80], "source": self.current.utterance.source},
            "utterances": s.utterances,
            "failed_utterances": s.failed_utterances,
            "interrupts": s.interrupts,
            "late_frames": s.late_frames,
            "late_ms": {"p50": percentile(s.late_ms, 50), "max": round(max(s.late_ms), 1) if s.late_ms else None},
            "underruns": s.underruns,
            "drift_frames": self.drift_frames,
            "enqueue_to_audio_ms": {"p50": percentile(s.enqueue_to_audio_ms, 50), "p95": percentile(s.enqueue_to_audio_ms, 95)},
            "interrupt_ms": {"p50": percentile(s.interrupt_ms, 50), "p95": percentile(s.interrupt_ms, 95)},
        }
