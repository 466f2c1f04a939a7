"""The room's voice in a process of its own.

In the room's process, synthesis shared one interpreter lock with rendering, encoding and the
event loop: a clause's Python work (text front end, resampling, voice matching) held frames back,
and a portrait room on two cores delivered about one frame in fifty late. Here the voice runs in
a child process, scheduled by the kernel on its own, and the room reads its chunks from a pipe.
The child makes a line's first chunk 3 above the room's frames, raised where the system allows and
otherwise at the room's priority with the room's own threads lowered 3 (speech_threads), and the
rest on a thread lowered to 10 below the frames. `SpeechProcess` keeps
Voice's surface (stream, rate, speed, failures), so the speaker, the lip calibration and the audio
disclosure use it unchanged.

A cancelled line does not hold up the next one: the child takes the next request while its lowered
thread is still inside the cancelled line's slice (it drops what that slice makes), and the room does not
wait for that line's end on the pipe; the next line's reader skips what is left of it. A barge-in's
answer used to wait for the cancelled slice, up to 0.8 s beside a second room (BENCHMARKS.md).

The child is started with `spawn` (the room has threads; forking them is unsafe) and ignores
Ctrl-C: the room stops it after flushing its outputs. As with any spawned process, a script that
starts a room must keep its top-level code under `if __name__ == "__main__":` (the child imports the
script; the `twincast` command does). It exits when the pipe closes, so it never
outlives the room. If it dies mid-line, that line fails like any line whose engine failed, and
the next line starts a new child."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator

from twincast.errors import TwincastError
from twincast.room.speech_threads import FIRST_CHUNK_RAISE, SPEECH_NICE, raise_this_thread, set_this_thread_nice, this_thread_nice
from twincast.voice.engines import lanes
from twincast.voice.engines.base import EngineError
from twincast.voice.speech import SpeechChunk

log = logging.getLogger(__name__)

START_TIMEOUT_S = 120.0  # loading both embedded voices takes ~6 s on an idle machine
CHUNK_TIMEOUT_S = 90.0  # longer than any engine's own timeout: past it the child is stuck
CANCEL_POLL_S = 0.01  # how often a reader waiting for a chunk looks at its line's cancel


class _Child:
    """One running child: its process, its end of the pipe and the cancel mark they share."""

    def __init__(self, factory: Callable, nice: int, raise_by: int) -> None:  # noqa: ANN001 - () -> Voice, picklable
        ctx = multiprocessing.get_context("spawn")
        self.cancelled = ctx.Value("q", 0, lock=False)  # every request with seq <= this is cancelled
        self.conn, child_conn = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child_conn, self.cancelled, factory, nice, raise_by, logging.getLogger().getEffectiveLevel()), name="twincast-speech", daemon=True)
        self.process.start()
        child_conn.close()
        self.rate = self.speed = 0
        self.priorities: dict[str, int] = {}  # the child's nice values: {"first_chunk": n, "rest": n}
        self._ready = False

    def wait_ready(self) -> None:
        if self._ready:
            return
        reply = self.receive(START_TIMEOUT_S, "start")
        if reply[0] == "failed":
            self.close()
            raise TwincastError(reply[1], reply[2])
        _, self.rate, self.speed, self.priorities = reply
        self._ready = True

    def receive(self, timeout_s: float, doing: str, cancel: threading.Event | None = None) -> tuple | None:
        """The next message; None as soon as `cancel` is set (a barge-in need not wait for a chunk)."""
        deadline = time.monotonic() + timeout_s
        try:
            while True:
                left = deadline - time.monotonic()
                if self.conn.poll(max(0.0, left) if cancel is None else min(CANCEL_POLL_S, max(0.0, left))):
                    return self.conn.recv()
                if cancel is not None and cancel.is_set():
                    return None
                if left <= 0:
                    break
        except (EOFError, OSError):
            pass
        else:
            self.close()
            raise EngineError(f"the speech process did not {doing} within {timeout_s:.0f} s", "it was stopped; the next line starts a new one")
        self.process.join(1.0)
        raise EngineError(f"the speech process stopped (exit code {self.process.exitcode})", "the next line starts a new one; if this repeats, check memory and the engine's log")

    @property
    def alive(self) -> bool:
        return self.process.is_alive()

    def close(self) -> None:
        try:
            self.conn.send(("quit",))
        except (OSError, ValueError):
            pass
        self.process.join(3.0)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(3.0)
        self.conn.close()


@dataclasses.dataclass
class SpeechProcess:
    """A Voice served by a child process. `factory` builds the Voice there: a module-level function
    or a functools.partial of one (it is pickled). `transform` is always None on this side: the
    child applies the person's voice matching. `speed` is sent with every line, so a copy with
    another speed (dataclasses.replace) speaks through the same child."""

    factory: Callable
    nice: int = SPEECH_NICE  # the rest of a line: this far below the room
    raise_by: int = FIRST_CHUNK_RAISE  # a line's first chunk: this far above it, where the system allows
    speed: float = 0.0  # 0 until the child is ready: then its voice's own speed
    transform: None = None
    _state: dict = dataclasses.field(default_factory=dict)  # shared by copies: the child, counters, the lock

    def __post_init__(self) -> None:
        if not self._state:
            # lock: the child's life (start, restart, close); line: one reader on the pipe at a time. A line
            # may end on another thread than it began (the room reads a line's first chunk at normal
            # priority, the rest lowered), so `line` is a plain Lock, which any thread may release.
            self._state.update(child=None, lock=threading.RLock(), line=threading.Lock(), seq=0, failures=0, restarts=0)

    def start(self) -> SpeechProcess:
        """Start the child (it loads in the background); `wait` or the first line waits for it."""
        with self._state["lock"]:
            self._child_locked(wait=False)
        return self

    def wait(self) -> SpeechProcess:
        with self._state["lock"]:
            self._child_locked()
        return self

    @property
    def rate(self) -> int:
        """The child voice's rate; a restarted child is built by the same factory, so it is the same."""
        if "rate" not in self._state:
            self._state["rate"] = self.wait()._state["child"].rate
        return self._state["rate"]

    @property
    def failures(self) -> int:
        return self._state["failures"]

    @property
    def restarts(self) -> int:
        return self._state["restarts"]

    @property
    def priorities(self) -> dict[str, int]:
        """The nice values the running child makes a line's first chunk and its rest at; {} before it is ready."""
        child = self._state["child"]
        return {} if child is None else dict(child.priorities)

    @property
    def pid(self) -> int | None:
        child = self._state["child"]
        return None if child is None else child.process.pid

    def _child_locked(self, wait: bool = True) -> _Child:
        child = self._state["child"]
        if child is not None and not child.alive:
            child.close()
            child = self._state["child"] = None
            self._state["restarts"] += 1
        if child is None:
            child = self._state["child"] = _Child(self.factory, self.nice, self.raise_by)
        if wait:
            try:
                child.wait_ready()
            except TwincastError:
                self._state["child"] = None
                raise
            self.speed = self.speed or child.speed
            self._state.setdefault("rate", child.rate)  # so no reader mid-line needs the lock for it
        return child

    def stream(self, text: str, lang: str = "auto", cancel: threading.Event | None = None) -> Iterator[SpeechChunk]:
        """As Voice.stream. A cancel is passed on to the child, which stops at its next chunk; the
        reader stops at once, and what the child still sends of this line is skipped by the next."""
        state = self._state
        state["line"].acquire()
        try:
            with state["lock"]:
                child = self._child_locked()
                state["seq"] += 1
                seq = state["seq"]
            try:
                child.conn.send(("say", seq, text, lang, self.speed))
            except (OSError, ValueError) as exc:
                raise EngineError(f"the speech process cannot be reached ({exc})", "the next line starts a new one") from None
            while True:
                message = child.receive(CHUNK_TIMEOUT_S, "speak", cancel)
                if message is None:  # cancelled while waiting
                    return
                kind = message[0]
                if message[1] != seq:  # the end of a line cancelled before this one
                    continue
                if kind == "chunk":
                    yield message[2]
                    if cancel is not None and cancel.is_set():
                        return
                    continue
                state["failures"] = message[2] if kind == "end" else message[4]
                if kind == "error":
                    _, _, problem, fix, _, engine_error = message
                    raise (EngineError if engine_error else TwincastError)(problem, fix)
                return
        finally:
            # Finished, cancelled, failed or closed early by its reader (a barge-in closes the
            # speaker's loop): whatever the child has still to make of this line is not wanted.
            child = state["child"]
            if child is not None:
                child.cancelled.value = max(child.cancelled.value, state["seq"])
            state["line"].release()

    def close(self) -> None:
        with self._state["lock"]:
            child, self._state["child"] = self._state["child"], None
        if child is not None:
            child.close()


class _CancelMark:
    """threading.Event's is_set, read from the mark the parent writes."""

    def __init__(self, cancelled, seq: int) -> None:  # noqa: ANN001 - a shared multiprocessing Value
        self.cancelled, self.seq = cancelled, seq

    def is_set(self) -> bool:
        return self.cancelled.value >= self.seq


def _serve(conn, cancelled, factory: Callable, nice: int, raise_by: int, log_level: int) -> None:  # noqa: ANN001
    """The child: load the voice, then speak each request chunk by chunk until told to quit. A line's
    first chunk is made on this thread, raised where the system allows (speech_threads): it is what
    the viewer waits for. The rest is made on a thread `nice` below the room with models of its own
    (voice/engines/lanes.py), while the first chunk plays: at the room's priority beside a second
    room, that part made frames late (BENCHMARKS.md)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the room; it stops us after its outputs
    logging.basicConfig(level=log_level, format="twincast speech: %(message)s")
    room_nice = this_thread_nice()
    raised = raise_this_thread(raise_by)  # before the models load: their worker threads take this thread's nice
    first_nice = room_nice if raised is None else raised
    priorities = {"first_chunk": first_nice, "rest": first_nice}  # one thread for all unless lowered below
    try:
        voice = factory()
        for engine in _engines(voice):  # the first line, often the room's notice, need not load them
            _warm(engine)
        lowered = None
        if nice:
            lowered = _lowered_lane(voice, room_nice + nice)
            priorities["rest"] = lowered.submit(this_thread_nice).result()
    except TwincastError as exc:
        conn.send(("failed", exc.problem, exc.fix))
        return
    except Exception as exc:  # noqa: BLE001 - the room reports it in one line
        conn.send(("failed", f"the voice could not be loaded: {exc}", "check the engine setting of the room"))
        return
    conn.send(("ready", voice.rate, voice.speed, priorities))
    sending = threading.Lock()  # the main thread and the lowered one both send

    def send(message: tuple) -> None:
        with sending:
            conn.send(message)

    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            request = ("quit",)  # the room is gone
        if request[0] != "say":
            # Nothing to flush; the inference libraries' teardown would only delay the room's exit.
            os._exit(0)
        _, seq, text, lang, speed = request
        spoken = voice if speed == voice.speed else dataclasses.replace(voice, speed=speed)
        mark = _CancelMark(cancelled, seq)
        try:
            chunks = spoken.stream(text, lang, cancel=mark)
            first = next(chunks, None)
        except Exception as exc:  # noqa: BLE001 - one bad line must not end the voice
            send(_error(seq, exc, voice))
            continue
        if first is None:
            send(("end", seq, voice.failures))
            continue
        send(("chunk", seq, first))
        if lowered is None:
            _send_rest(send, seq, chunks, mark, voice)
        else:
            # Not waited for: the next request (a barge-in's answer) gets its first chunk made here
            # while that thread is still in this line's current slice.
            lowered.submit(_send_rest, send, seq, chunks, mark, voice)


def _error(seq: int, exc: Exception, voice) -> tuple:  # noqa: ANN001 - Voice
    if isinstance(exc, TwincastError):
        return ("error", seq, exc.problem, exc.fix, voice.failures, isinstance(exc, EngineError))
    log.debug("synthesis failed", exc_info=exc)
    return ("error", seq, f"synthesis failed: {exc}", "", voice.failures, True)


def _send_rest(send: Callable[[tuple], None], seq: int, chunks: Iterator[SpeechChunk], mark: _CancelMark, voice) -> None:  # noqa: ANN001
    """A line's chunks after the first, then its end. A cancelled line's chunks are not sent: its reader is gone."""
    try:
        for chunk in chunks:
            if mark.is_set():
                chunks.close()
                break
            send(("chunk", seq, chunk))
    except Exception as exc:  # noqa: BLE001
        send(_error(seq, exc, voice))
    else:
        send(("end", seq, voice.failures))


def _lowered_lane(voice, nice: int) -> concurrent.futures.ThreadPoolExecutor:  # noqa: ANN001 - Voice
    """The thread at this nice value (lowered), its engines' models loaded there (their worker
    threads take its nice). Born of a raised thread, so set, not moved by a step."""

    def enter() -> None:
        if set_this_thread_nice(nice) is None:
            log.info("the rest of each line is made at the room's priority (the system refused nice %d)", nice)
        lanes.enter("lowered")

    pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="speech-lowered", initializer=enter)
    for engine in _engines(voice):
        pool.submit(_warm, engine).result()
    return pool


def _warm(engine) -> None:  # noqa: ANN001 - an Engine with `warm`
    """Load ahead of the first line. An engine that cannot load is not fatal here: the voice falls
    back or fails that line when it is spoken, with the engine's own message, as without warming."""
    try:
        engine.warm()
    except Exception as exc:  # noqa: BLE001
        log.warning("the %s voice could not be loaded ahead (%s); it is tried again when it speaks", getattr(engine, "name", "?"), exc)


def _engines(voice) -> list:  # noqa: ANN001 - Voice
    """The voice's engines that load models of their own (the others have no `warm`)."""
    engines = {id(e): e for e in [*voice.engines.values(), *voice.fallbacks.values()]}
    return [e for e in engines.values() if hasattr(e, "warm")]
