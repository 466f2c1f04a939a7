"""`twincast bench room`: one real room, real clock, for N seconds, measured.

Utterances are enqueued while the room is idle (enqueue -> first audio sample
in the encoded output) and some are interrupted mid-line (interrupt -> mouth
closed and audio silent). CPU is process time over wall time (cores used),
the speech process's included; so is its memory in RSS. RSS growth compares
the end with the half-way point (steady state); RSS is also sampled once a
minute so a slow leak shows as a slope, not one number."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import resource
import tempfile
import time
from pathlib import Path

from twincast.progress import Progress
from twincast.room.config import RoomConfig

LINES = {
    "zh": ["这款保温杯现在只要八十九块九。", "下单再送杯套，包邮到家。", "三百一十六不锈钢内胆，保温十二个小时。", "喜欢的家人们抓紧时间拍吧！"],
    "en": ["This cup is only nineteen ninety-nine today.", "Every order ships free within two days.", "It keeps your coffee hot for twelve hours.", "Grab yours before they are gone!"],
}


def rss_mb(pid: int | str = "self") -> float:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except FileNotFoundError:  # a speech process that has already stopped
        pass
    return 0.0


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of another process (the room's speech process), 0 when gone."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def room_rss_mb(running) -> float:  # noqa: ANN001 - RunningRoom
    """The room's resident memory: its own and its speech process's."""
    pid = getattr(running.voice, "pid", None)
    return rss_mb() + (rss_mb(pid) if pid else 0.0)


def bench_room(clone: Path, seconds: float, lang: str, width: int, height: int, fps: int, outputs: list[dict] | None, progress: Progress) -> dict:
    from twincast.room.runner import RunningRoom

    with tempfile.TemporaryDirectory(prefix="twincast-bench-room-") as tmp:
        cfg = RoomConfig.model_validate({
            "clone": str(clone), "language": lang, "profile": "custom",
            "video": {"width": width, "height": height, "fps": fps, "video_kbps": 2500},
            "outputs": outputs or [{"type": "record", "folder": str(Path(tmp) / "rec")}],
            "audit": str(Path(tmp) / "audit"),
        })
        running = RunningRoom(cfg, progress)
        room = running.room
        samples: list[float] = []
        series: list[tuple[float, float]] = []
        last_rss = [0.0, 0.0]  # (when, MB)
        nice: dict[str, int] = {}

        async def drive() -> None:
            task = asyncio.create_task(running.run(seconds))
            i = 0
            next_at = time.monotonic() + 3.0
            while not task.done():
                await asyncio.sleep(0.05)
                now = time.monotonic()
                if now > seconds * 0.5 + t0 and not samples:
                    samples.append(room_rss_mb(running))
                    nice.update(running.nice())  # read while the child runs
                if room.is_running and now - last_rss[0] >= 1.0:  # the speech process goes when the room stops
                    last_rss[:] = [now, room_rss_mb(running)]
                if not series or now - t0 >= series[-1][0] + 60:
                    series.append((round(now - t0, 1), round(last_rss[1], 1)))
                if room.current is None and not len(room.queue) and time.monotonic() >= next_at:
                    room.enqueue(LINES[lang][i % len(LINES[lang])], source="operator")
                    interrupt = i % 3 == 2
                    i += 1
                    next_at = time.monotonic() + (1.0 if interrupt else 2.0)
                    if interrupt:
                        # the room may stop, or the line fail, before it is heard: then nothing to interrupt
                        give_up = time.monotonic() + 10.0
                        while (room.current is None or room.current.started_frame is None) and not task.done() and time.monotonic() < give_up:
                            await asyncio.sleep(0.01)
                        await asyncio.sleep(0.6)
                        room.interrupt()
            await task

        # The speech process's CPU counts too. The room stops it at the end, and then all its CPU
        # shows in RUSAGE_CHILDREN: what it spent loading, before t0, goes into the baseline.
        speech_pid = getattr(running.voice, "pid", None)
        t0 = time.monotonic()
        cpu0 = time.process_time() + children_cpu_s() + (cpu_s(speech_pid) if speech_pid else 0.0)
        asyncio.run(drive())
        wall = time.monotonic() - t0
        cpu = time.process_time() + children_cpu_s() - cpu0
        status = running.status()
        rss_end = last_rss[1]
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return {
            "fps": round(status["frames"] / wall, 2),
            "target_fps": fps,
            "size": f"{width}x{height}",
            "dropped_frames": status["late_frames"] + status["underruns"],
            "late_frames": status["late_frames"],  # the loop more than a frame behind its clock
            "late_ms_p50": status["late_ms"]["p50"],  # how far behind, of those frames
            "late_ms_max": status["late_ms"]["max"],
            "underruns": status["underruns"],  # a speaking frame whose audio was not synthesised yet
            "cpu_cores": round(cpu / wall, 3),
            "enqueue_to_audio_ms_p95": status["enqueue_to_audio_ms"]["p95"],
            "enqueue_to_audio_ms_p50": status["enqueue_to_audio_ms"]["p50"],
            "interrupt_ms_p95": status["interrupt_ms"]["p95"],
            "drift_frames": status["drift_frames"],
            "rss_growth_pct": round(100 * (rss_end - samples[0]) / samples[0], 2) if samples else None,
            "rss_mb": round(rss_end, 1),
            "peak_rss_mb": round(peak, 1),
            "rss_series_mb": series,
            "utterances": status["utterances"],
            "interrupts": status["interrupts"],
            "speech_nice": nice or None,  # {"first_chunk": n, "rest": n, "frames": n}: raised, the rest lowered, or neither (speech_threads)
            "outputs": [{k: o[k] for k in ("name", "state", "failures", "dropped")} for o in status["outputs"]],
            "at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        }
