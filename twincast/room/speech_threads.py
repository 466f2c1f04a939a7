"""The thread speech is synthesised on, lowered so that it yields to the frames.

Synthesis comes in bursts (a clause in ~70 ms on both cores) while rendering and encoding need their
share every 33-40 ms. With more runnable threads than cores, frames lose their turn to a burst and
come late (portrait 1080x1920 on two cores). Linux keeps a nice value per thread and a new thread
inherits its creator's, so the speech thread is lowered. The room's speaker runs on it (mouth
planning, filling the Playback) once a line's first chunk is in, which it waits for on a thread at
the room's priority; the voice itself runs in a child process that makes all but a line's first
chunk on a thread lowered the same way (speech_process), or, with TWINCAST_SPEECH_PROCESS=0, is
loaded on this thread so that the inference libraries' own worker threads (onnxruntime, LiteRT), born
at load, are lowered too. Lowering needs no privilege; where the system refuses it, the room runs as
it would without.

A line's first chunk is the other way round: a viewer waits for it, and beside a second room it took
several times its idle time (the two rooms' frames share the cores with it). Where the system lets a
process raise a thread's priority (root, CAP_SYS_NICE, or a nice limit: systemd's LimitNICE=-3,
limits.conf's `USER - nice -3`), the speech process makes it FIRST_CHUNK_RAISE above the room.
Elsewhere the room lowers every other thread of its own process by as much instead, which needs no
privilege: the same distance between the first chunk, the frames and the rest of a line, only the
programs beside the room now come before its frames (room_priorities). Three steps, not more: five
made two to four times the late frames and the gaps inside lines for another ~30 ms (BENCHMARKS.md)."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import logging
import os
import threading
from collections.abc import Callable
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

# CFS weight 110 against 1024: the frames first, speech in the time they leave. TWINCAST_SPEECH_NICE=0
# keeps speech at normal priority (the benchmark's baseline).
SPEECH_NICE = int(os.environ.get("TWINCAST_SPEECH_NICE", "10"))
# TWINCAST_FIRST_CHUNK_RAISE=0 keeps a line's first chunk at the frames' priority (the benchmark's baseline).
FIRST_CHUNK_RAISE = int(os.environ.get("TWINCAST_FIRST_CHUNK_RAISE", "3"))
RAISE_HOW = "run the room as root, or give it CAP_SYS_NICE or a nice limit (systemd LimitNICE=-3; limits.conf: USER - nice -3)"


def this_thread_nice() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def set_this_thread_nice(nice: int) -> int | None:
    """Give the calling thread this nice value (clamped to Linux's -20..19); the value, or None when refused."""
    nice = max(-20, min(19, nice))
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
    except (AttributeError, OSError):
        return None
    return nice


def lower_this_thread(by: int = SPEECH_NICE) -> int | None:
    """Lower the calling thread's priority; its new nice value, or None when refused."""
    nice = set_this_thread_nice(this_thread_nice() + by)
    if nice is None:
        log.info("speech runs at normal priority (the system refused to lower it)")
    return nice


def raise_this_thread(by: int = FIRST_CHUNK_RAISE) -> int | None:
    """Raise the calling thread's priority where the system allows it; its new nice value, or None."""
    if by <= 0:
        return None
    nice = set_this_thread_nice(this_thread_nice() - by)
    if nice is None:
        log.info("a line's first chunk is made at the room's priority; to start lines sooner beside a second room, %s", RAISE_HOW)
    return nice


def may_raise(by: int = FIRST_CHUNK_RAISE) -> bool:
    """Whether this process may raise a thread's priority by `by`, tried on a throwaway thread."""
    allowed: list[bool] = []

    def probe() -> None:
        allowed.append(set_this_thread_nice(this_thread_nice() - by) is not None)

    t = threading.Thread(target=probe, name="twincast-nice-probe")
    t.start()
    t.join()
    return allowed[0]


@dataclasses.dataclass(frozen=True)
class RoomPriorities:
    """How a line's first chunk gets FIRST_CHUNK_RAISE steps ahead of the room's frames: raised by
    the speech process where the system allows, else everything else lowered by the room."""

    raise_first_chunk: int = 0  # steps the speech process raises the thread that makes first chunks
    lower_the_rest: int = 0  # steps this process lowers its threads by, all but the first chunk's

    def speech_nice(self, nice: int = SPEECH_NICE) -> int:
        """How far below the speech process's own priority it makes the rest of a line: with the
        frames lowered, that much further, so the rest stays `nice` below the frames (one priority
        for all speech, nice 0, stays one)."""
        return nice + self.lower_the_rest if nice else 0


def room_priorities(by: int = FIRST_CHUNK_RAISE) -> RoomPriorities:
    """Raise where this process may, else lower; neither with `by` 0 (the benchmark's baseline)."""
    if by <= 0:
        return RoomPriorities()
    if may_raise(by):
        return RoomPriorities(raise_first_chunk=by)
    log.info("the system does not let a line's first chunk go above the room's priority, so the room's "
             "frames go %d below it instead (programs beside the room now come before its frames); to raise "
             "it instead, %s", by, RAISE_HOW)
    return RoomPriorities(lower_the_rest=by)


# A thread kept at the priority this process started with, for the threads and processes that must
# start there after a room has lowered the rest (the main thread included): each room's first-chunk
# thread and speech process. `keep` holds the ids of the threads no lowering touches.
_home: dict = {}
_home_made = threading.Lock()


def at_home(fn: Callable[..., T], *args) -> T:  # noqa: ANN002
    """fn(*args) on the home thread, made on first use (before any room lowers anything)."""
    with _home_made:
        if not _home:
            pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="twincast-home")
            _home.update(pool=pool, nice=this_thread_nice(), keep={thread_of(pool)})
    return _home["pool"].submit(fn, *args).result()


def lower_other_threads(by: int, keep: int) -> None:
    """Every thread of this process but the home thread, `keep` and the threads kept before, `by`
    below the priority the process started with: the library pools born at import or at a codec's
    opening included, threads born later take their creator's. Lasts the process's life (without the
    privilege it could not be raised back); a second room in the process lowers nothing twice."""
    at_home(int)
    _home["keep"].add(keep)
    target = min(19, _home["nice"] + by)
    for name in os.listdir("/proc/self/task"):
        tid = int(name)
        if tid in _home["keep"]:
            continue
        try:
            if os.getpriority(os.PRIO_PROCESS, tid) < target:
                os.setpriority(os.PRIO_PROCESS, tid, target)
        except OSError:  # the thread has ended, or the system refused: it stays as it was
            continue


def speech_executor(name: str = "room-speech") -> concurrent.futures.ThreadPoolExecutor:
    return concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix=name, initializer=lower_this_thread)


def first_chunk_executor(name: str = "room-speech-first") -> concurrent.futures.ThreadPoolExecutor:
    """The thread a line starts on, at the priority of the thread that makes it (the room's, normal):
    it waits for the line's first chunk and hands it to the playback, then the line goes on on the
    lowered thread. At nice 10 beside a second room, this step alone took 37-77 ms p95 (BENCHMARKS.md).
    Its thread is started here, not at the first line, so that it takes the maker's priority."""
    pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix=name)
    pool.submit(int).result()
    return pool


def thread_of(pool: concurrent.futures.ThreadPoolExecutor) -> int:
    """The native id of a one-thread pool's thread."""
    return pool.submit(threading.get_native_id).result()
