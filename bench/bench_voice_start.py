"""A room's first line in its other language: does the speech stop mid-line?

    .venv/bin/python bench/bench_voice_start.py [--repeats 3]

A Mandarin room with a matched voice speaks its own language first (its lip
calibration does, before it goes live), then a line with an English brand in
it. Each case runs in a fresh speech process, as a room's does (nothing cached):

- `saved`: the clone carries its plans (voice_plans.json, made at clone build);
- `before`: no saved plans and measured on first use, as every room did before
  the plans were saved (the baseline, measured in this run);
- `old_clone`: no saved plans on the current code (a clone built before them):
  measured while the voice loads, before the room's first word.

Per case: `ready_s` (speech process start to ready), `calibration_s` (the
Mandarin warm-up line), and for the mixed line `stall_ms`, the longest time
any chunk arrived after the audio before it would have finished playing had
playback started at the line's first chunk, and `en_wait_ms`, the time from
the chunk before the English span to its first chunk. Ratios: before / saved
(`start_s` = ready + calibration, the room's start-up).
The person is the synthetic presenter (its footage is made here).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

WARM_UP = "大家好，欢迎来到直播间。"
MIXED = "这款 Bluetooth 音箱今天只要八十九块九，下单再送充电线。"


def person_dirs(root: Path) -> tuple[Path, Path, float]:
    """(with saved plans, profile only, seconds the plans took at build)."""
    from twincast.media.audio import load_audio
    from twincast.testing.presenter import make_consented_presenter
    from twincast.voice.plan_file import measure_plans, save_plans
    from twincast.voice.profile import extract_profile

    footage, _ = make_consented_presenter(root, dt.datetime.now(dt.timezone.utc), seconds=20.0, fps=25, size=256, seed=3)
    profile = extract_profile(load_audio(footage, 16000, 0.0, 20.0), 16000)
    if not profile.usable:
        sys.exit(f"the synthetic presenter's voice profile is not usable: {profile.reason}")
    saved, bare = root / "saved", root / "bare"
    for folder in (saved, bare):
        folder.mkdir()
        profile.save(folder)
    start = time.perf_counter()
    save_plans(measure_plans(profile), saved)
    return saved, bare, time.perf_counter() - start


def run_case(folder: Path, live: bool) -> dict:
    from twincast.room.speech_process import SpeechProcess
    from twincast.voice.voice_setup import make_voice

    t0 = time.perf_counter()
    voice = SpeechProcess(functools.partial(make_voice, None, folder, live=live)).start().wait()
    ready_s = time.perf_counter() - t0
    try:
        t0 = time.perf_counter()
        list(voice.stream(WARM_UP, "zh"))
        calibration_s = time.perf_counter() - t0
        arrivals = []
        t0 = time.perf_counter()
        for chunk in voice.stream(MIXED, "zh"):
            arrivals.append((time.perf_counter() - t0, chunk.lang, len(chunk.pcm) / chunk.sample_rate))
    finally:
        voice.close()
    first = arrivals[0][0]
    stall, played = 0.0, 0.0
    for at, _, seconds in arrivals:
        stall = max(stall, at - (first + played))
        played += seconds
    en = next(i for i, a in enumerate(arrivals) if a[1] == "en")
    return {
        "ready_s": round(ready_s, 2),
        "calibration_s": round(calibration_s, 2),
        "first_chunk_ms": round(first * 1000),
        "en_wait_ms": round((arrivals[en][0] - arrivals[en - 1][0]) * 1000),
        "stall_ms": round(stall * 1000),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="twincast-bench-start-") as tmp:
        saved, bare, build_s = person_dirs(Path(tmp))
        print(json.dumps({"plans_at_build_s": round(build_s, 2)}), flush=True)
        cases = {"saved": (saved, True), "before": (bare, False), "old_clone": (bare, True)}
        results: dict[str, list[dict]] = {name: [] for name in cases}
        for _ in range(args.repeats):  # interleaved, so a busy moment does not fall on one case
            for name, (folder, live) in cases.items():
                got = run_case(folder, live)
                results[name].append(got)
                print(json.dumps({"case": name, **got}), flush=True)
    med = {name: {k: statistics.median(r[k] for r in runs) for k in runs[0]} for name, runs in results.items()}
    for name, m in med.items():
        print(json.dumps({"case": name, "median": m}))
    s, b = med["saved"], med["before"]
    print(json.dumps({  # a stall of 0 has no ratio: both figures, then the ratios that exist
        "stall_ms": {"before": b["stall_ms"], "saved": s["stall_ms"]},
        "en_wait_before_over_saved": round(b["en_wait_ms"] / s["en_wait_ms"], 1),
        "start_s_before_over_saved": round((b["ready_s"] + b["calibration_s"]) / (s["ready_s"] + s["calibration_s"]), 2),
    }))

if __name__ == "__main__":
    main()
