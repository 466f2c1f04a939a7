"""The room loop on a fake clock: pts never drift, the queue is bounded, barge-in is immediate."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from twincast.errors import TwincastError
from twincast.room.clock import FakeClock
from twincast.room.engine import WARM_FRAMES, Room
from twincast.room.playback import MAX_AHEAD_S, Playback
from twincast.room.speech_queue import MAX_QUEUED, PRIORITY, SpeechQueue, Utterance

FPS, RATE = 25, 48000
SPF = RATE // FPS


def tone_speaker(seconds: float = 1.0, level: float = 0.2):
    """A speech worker that says every line as a tone of known length, mouth index 7 throughout."""

    def speak(pb: Playback) -> None:
        n = int(seconds * RATE)
        pcm = (level * np.sin(np.arange(n) * 2 * np.pi * 440 / RATE)).astype(np.float32)
        done = 0
        for i in range(0, n, 4800):
            part = pcm[i : i + 4800]
            ready = (i + len(part)) // SPF
            if not pb.push(part, [7] * (ready - done)):
                return
            done = ready
        pb.push(np.zeros(0, np.float32), [7] * (-(-n // SPF) - done))
        pb.finish()

    return speak


class Recorder:
    def __init__(self) -> None:
        self.mouths: list[int | None] = []
        self.loud: list[float] = []
        self.samples = 0

    def __call__(self, n: int, mouth: int | None, audio: np.ndarray) -> None:
        assert n == len(self.mouths)  # frames arrive in order, none skipped
        assert len(audio) == SPF
        self.mouths.append(mouth)
        self.loud.append(float(np.abs(audio).max()))
        self.samples += len(audio)


def make_room(script=(), speak=None, **kw) -> tuple[Room, Recorder, FakeClock]:
    clock = FakeClock()
    rec = Recorder()
    room = Room(clock, FPS, RATE, rec, speak or tone_speaker(), list(script), await_speech=True, inline_media=True, **kw)
    return room, rec, clock


def test_an_hour_of_room_time_without_drift():
    room, rec, _ = make_room(script=["a line", "another line"])
    asyncio.run(room.run(seconds=3600))
    assert room.stats.frames == 3600 * FPS
    assert rec.samples == 3600 * RATE  # audio pts and video pts stay locked: 0 frames of drift
    assert room.drift_frames == 0
    assert room.stats.utterances > 1500 and room.stats.underruns == 0


def test_the_start_up_heap_is_frozen_out_of_collections_while_the_room_streams():
    """A full collection of a loaded room's heap paused its frames for ~60 ms; frozen, it is skipped."""
    import gc

    room, rec, _ = make_room()
    produce = room.produce
    frozen = []

    def watch(n, mouth, audio):
        frozen.append(gc.get_freeze_count())
        produce(n, mouth, audio)

    room.produce = watch
    asyncio.run(room.run(seconds=1))
    assert min(frozen) > 1000  # every object alive at start (the test session's too)
    assert gc.get_freeze_count() == 0  # handed back to the collector when the room stops


def test_idle_room_is_silent_with_a_resting_mouth():
    room, rec, _ = make_room()
    asyncio.run(room.run(seconds=2))
    assert set(rec.mouths) == {None} and max(rec.loud) == 0.0


def test_an_utterance_plays_whole_then_the_room_idles():
    room, rec, _ = make_room()
    room.enqueue("hello", source="operator")
    asyncio.run(room.run(seconds=3))
    speaking = [m == 7 for m in rec.mouths]
    assert speaking[:FPS] == [True] * FPS  # 1 s of tone from the first frame (fake clock: no synthesis delay)
    assert not any(speaking[FPS:])
    assert max(rec.loud[:FPS]) > 0.15 and max(rec.loud[FPS + 1 :]) == 0.0


def test_interrupt_closes_the_mouth_on_the_next_frame():
    room, rec, clock = make_room(speak=tone_speaker(seconds=5.0))
    room.enqueue("a long line", source="script")

    async def go() -> None:
        task = asyncio.create_task(room.run(seconds=4))
        while room.stats.frames < 30:
            await asyncio.sleep(0)
        room.interrupt()
        at = room.stats.frames
        await task
        assert rec.mouths[at - 1] == 7 and rec.mouths[at] is None
        assert all(m is None for m in rec.mouths[at:])
        assert rec.loud[at] < 0.2 and max(rec.loud[at + 1 :]) == 0.0  # a 10 ms fade, then silence

    asyncio.run(go())
    assert room.stats.interrupts == 1
    assert max(room.stats.interrupt_ms) <= 1000 / FPS  # within one frame of room time


def test_a_more_important_line_barges_in():
    room, rec, _ = make_room(speak=tone_speaker(seconds=3.0))
    room.enqueue("script line", source="script")

    async def go() -> None:
        task = asyncio.create_task(room.run(seconds=8))
        while room.stats.frames < 10:
            await asyncio.sleep(0)
        room.enqueue("operator says this now", source="operator")
        await task

    asyncio.run(go())
    assert room.stats.interrupts == 1 and room.stats.utterances == 2
    assert len(room.queue) == 0


def test_pause_holds_the_queue_and_resume_plays_it():
    room, rec, _ = make_room(script=["line"])
    room.pause()

    async def go() -> None:
        task = asyncio.create_task(room.run(seconds=4))
        while room.stats.frames < 50:
            await asyncio.sleep(0)
        assert set(rec.mouths) == {None}
        room.resume()
        await task

    asyncio.run(go())
    assert 7 in rec.mouths[50:]


def test_a_failing_line_is_counted_and_the_room_goes_on():
    def broken(pb: Playback) -> None:
        raise RuntimeError("engine crashed")

    room, rec, _ = make_room(script=["line"], speak=broken)
    asyncio.run(room.run(seconds=2))
    assert room.stats.failed_utterances >= 1 and room.stats.frames == 2 * FPS


def test_queue_is_bounded_and_drops_the_least_important_oldest():
    q = SpeechQueue()
    for i in range(1000):
        q.put(Utterance(f"chat {i}", PRIORITY["chat"], "chat"))
    assert len(q) == MAX_QUEUED and q.dropped == 1000 - MAX_QUEUED
    q.put(Utterance("operator", PRIORITY["operator"], "operator"))
    assert len(q) == MAX_QUEUED and q.pop().text == "operator"
    assert q.pop().text == f"chat {1000 - MAX_QUEUED + 1}"  # the oldest survivors went first


def test_flood_of_enqueues_keeps_the_room_on_time():
    room, rec, _ = make_room()
    for i in range(1000):
        room.enqueue(f"message {i}", source="chat")
    asyncio.run(room.run(seconds=2))
    assert len(room.queue) <= MAX_QUEUED and room.queue.dropped >= 1000 - MAX_QUEUED - 1
    assert room.stats.frames == 2 * FPS


@pytest.mark.parametrize("text", ["", "   ", "x" * 100_000])
def test_empty_and_huge_utterances_are_refused_clearly(text):
    room, _, _ = make_room()
    with pytest.raises(TwincastError):
        room.enqueue(text)


def test_playback_memory_is_bounded():
    pb = Playback(Utterance("x"), SPF, RATE)
    import threading

    pushed = []

    def worker() -> None:
        for _ in range(40):  # 40 s of audio, far more than MAX_AHEAD_S
            if not pb.push(np.ones(RATE, np.float32) * 0.1, [1] * FPS):
                return
            pushed.append(1)

    t = threading.Thread(target=worker)
    t.start()
    t.join(0.5)
    assert len(pushed) <= MAX_AHEAD_S + 1  # the worker waits for the room to play
    for _ in range(FPS * 5):
        pb.take_frame()
    t.join(0.5)
    assert sum(len(a) for a in pb._audio) <= (MAX_AHEAD_S + 2) * RATE  # played audio is released
    pb.stop()
    t.join(2)
    assert not t.is_alive()


def test_frame_rates_must_divide_the_audio_rate():
    with pytest.raises(TwincastError, match="fps"):
        Room(FakeClock(), 29, RATE, lambda *a: None, lambda pb: None)


def clause_speaker(pb: Playback) -> None:
    """Says each '|'-separated clause as a 1 s tone (mouth = clause number) and marks clause ends."""
    parts = pb.utterance.text.split("|")
    for i, part in enumerate(parts):
        n = RATE
        mouth = 100 + len(part)  # tells the clauses apart in the recording
        if not pb.push((0.2 * np.sin(np.arange(n) * 2 * np.pi * 440 / RATE)).astype(np.float32), [mouth] * (n // SPF)):
            return
        pb.mark_boundary("|".join(parts[i + 1 :]))
    pb.finish()


def test_a_chat_answer_waits_for_the_sentence_end_and_the_script_resumes():
    room, rec, _ = make_room(speak=clause_speaker)
    room.enqueue("a|bb|ccc", source="script")  # three 1 s clauses: mouths 101, 102, 103

    async def go() -> None:
        task = asyncio.create_task(room.run(seconds=6))
        while room.stats.frames < 10:
            await asyncio.sleep(0)
        room.enqueue("dddd", source="chat")  # mouth 104, arrives mid-clause "a"
        await task

    asyncio.run(go())
    said = [m for i, m in enumerate(rec.mouths) if m is not None and (i == 0 or rec.mouths[i - 1] != m)]
    assert said == [101, 104, 102, 103]  # "a" finished, the answer, then the script from "bb" on
    assert rec.mouths[:FPS] == [101] * FPS  # the clause was not cut
    assert room.resumed == 1 and room.stats.interrupts == 0


def test_the_operator_still_cuts_in_at_once():
    room, rec, _ = make_room(speak=clause_speaker)
    room.enqueue("a|bb|ccc", source="script")

    async def go() -> None:
        task = asyncio.create_task(room.run(seconds=3))
        while room.stats.frames < 10:
            await asyncio.sleep(0)
        room.enqueue("dddd", source="operator")
        await task

    asyncio.run(go())
    assert rec.mouths[10] != 101 and 104 in rec.mouths[10:13]


def test_the_coupon_countdown_banner_follows_room_time():
    from twincast.room.commerce_link import CommerceLink
    from twincast.room.overlay import Overlay

    class Director:
        def next_script_line(self):
            return None

        def tick(self):
            return []

        def overlay(self):
            return {"kind": "coupon", "sku": "CUP", "text": "满100减20", "ends_at_s": 90.0}

    room, rec, clock = make_room()
    overlay = Overlay(320, 240)
    link = CommerceLink(room, Director(), None, overlay, lambda: clock.now_ns() / 1e9)
    seen = []

    async def go() -> None:
        task = asyncio.create_task(link.run())
        for target in (0, 30, 89):
            await room.clock.tick_until_ns(target * 1_000_000_000)
            for _ in range(5):
                await asyncio.sleep(0)
            seen.append(overlay.text)
        task.cancel()

    asyncio.run(go())
    assert seen == ["满100减20  01:30", "满100减20  01:00", "满100减20  00:01"]
    frame = np.zeros((240, 320, 3), np.uint8)
    assert overlay.stamp(frame).any()  # the banner is drawn


def test_speech_runs_lowered_and_threads_it_starts_inherit_that():
    """Rendering and encoding get the cores first; the inference libraries' worker threads, started
    on the speech thread when the voice loads, are lowered with it (speech_threads)."""
    import os
    import threading

    from twincast.room.speech_threads import SPEECH_NICE, speech_executor

    def nice() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    def own_and_child() -> tuple[int, int]:
        got: list[int] = []
        t = threading.Thread(target=lambda: got.append(nice()))
        t.start()
        t.join()
        return nice(), got[0]

    ex = speech_executor("test-speech")
    try:
        own, child = ex.submit(own_and_child).result()
    finally:
        ex.shutdown()
    assert own == child == min(19, nice() + SPEECH_NICE)


def test_a_line_starts_at_the_rooms_priority_and_goes_on_lowered():
    """What a viewer waits for, the line's first chunk into the playback, is not held up by the
    lowered thread's low weight; the rest of the line yields to the frames."""
    import os
    import threading

    from twincast.room.speech_threads import SPEECH_NICE

    def nice() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    seen: list[tuple[str, int]] = []
    tone = tone_speaker(0.4)

    def steps(pb: Playback):  # noqa: ANN202 - as Speaker.steps
        seen.append(("first", nice()))
        pb.push(np.zeros(SPF, np.float32), [7])
        yield
        seen.append(("rest", nice()))
        tone(pb)

    ours = nice()
    room, rec, _ = make_room(speak=steps)
    room.enqueue("hello")
    asyncio.run(room.run(seconds=1))
    assert seen == [("first", ours), ("rest", min(19, ours + SPEECH_NICE))]
    assert rec.mouths[:2] == [7, 7] and room.stats.underruns == 0  # both steps' audio played, in order


def _slow_start_room(first_frames_ms: list[float]) -> Room:
    """A room whose first frames take as long as given (x264 warming up at 1080x1920), then 10 ms."""
    clock = FakeClock()

    def produce(n: int, mouth, audio) -> None:  # noqa: ANN001
        clock.advance_ns(int((first_frames_ms[n] if n < len(first_frames_ms) else 10) * 1e6))

    return Room(clock, FPS, RATE, produce, tone_speaker(), inline_media=True)


def test_slow_first_frames_do_not_make_the_next_ones_late():
    # 1.5 and 3 periods at 25 fps, then the opening line's slow frames: frames 2 to 8 would be late
    room = _slow_start_room([60, 120, 10, 60, 60, 60, 60])
    asyncio.run(room.run(seconds=2))
    assert room.stats.frames == 50 and room.stats.late_frames == 0 and room.drift_frames == 0
    # A slow frame once the pipeline is warm is counted, and so are the ones it delays.
    late = _slow_start_room([10] * WARM_FRAMES + [130])
    asyncio.run(late.run(seconds=2))
    assert late.stats.late_frames == 2
    # how late: the next frame begins 130 - 40 ms behind, the one after it 130 + 10 - 80 ms
    assert list(late.stats.late_ms) == pytest.approx([90, 60], abs=0.5)
    assert late.status()["late_ms"] == {"p50": 75.0, "max": 90.0}
