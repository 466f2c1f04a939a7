"""A/V drift over a day of room time on the fake clock.

    .venv/bin/python bench/bench_room_drift.py [--hours 24]

The room loop with its real queue, playback and barge-in, a tone speaker and
a produce that only counts (rendering is not what drifts): video frames vs
audio samples emitted, and the largest gap between a frame's pts and its
audio's pts. Baseline in the same run: the same loop for one hour, to show
the cost per room-hour scales linearly (no growing structures)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def run(hours: float) -> dict:
    from test_room_engine import FPS, RATE, Recorder, tone_speaker

    from twincast.room.clock import FakeClock
    from twincast.room.engine import Room

    rec = Recorder()
    room = Room(FakeClock(), FPS, RATE, rec, tone_speaker(seconds=2.0), ["line one", "line two"], await_speech=True, inline_media=True)
    t0 = time.perf_counter()
    asyncio.run(room.run(seconds=hours * 3600))
    wall = time.perf_counter() - t0
    return {"room_hours": hours, "frames": room.stats.frames, "audio_samples": rec.samples, "drift_frames": room.drift_frames, "utterances": room.stats.utterances, "wall_s": round(wall, 1), "wall_s_per_room_hour": round(wall / hours, 2)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hours", type=float, default=24.0)
    args = parser.parse_args()
    base = run(1.0)
    print(json.dumps({"baseline": base}), flush=True)
    day = run(args.hours)
    day["cost_ratio_per_hour"] = round(day["wall_s_per_room_hour"] / base["wall_s_per_room_hour"], 2)
    print(json.dumps({"run": day}), flush=True)
    return 0 if day["drift_frames"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
