"""End-to-end lip-sync rendering speed on footage the project makes itself.

    .venv/bin/python bench/bench_render.py [--size 1080] [--seconds 30]

Builds a clone of the synthetic presenter at the given frame size, then times
`twincast lipsync` on 20 s of speech in its parts: audio features and frame
choice, then the frame loop (base decode + composite + label) with and
without H.264 encoding. The baseline in the same run is the frame loop with
compositing switched off (base decode + label only): the ratio says what the
mouth costs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    import numpy as np

    from twincast.clone.base_loop import BaseLoopReader
    from twincast.clone.clone import load_clone
    from twincast.clone.make import make_clone
    from twincast.lipsync import render
    from twincast.lipsync.audio_features import SAMPLE_RATE_HZ
    from twincast.media.mp4_writer import Mp4Writer
    from twincast.progress import Progress
    from twincast.testing.presenter import make_consented_presenter
    from twincast.testing.synthetic_footage import synthesize_speech
    from twincast.trust.label import Label

    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=1080)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--fps", type=int, default=30)
    args = parser.parse_args()
    now = dt.datetime.now(dt.timezone.utc)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        footage, consent = make_consented_presenter(tmp, now, seconds=args.seconds, fps=args.fps, size=args.size, seed=11)
        t0 = time.perf_counter()
        make_clone(footage, consent, tmp / "clone", Progress(enabled=False), now)
        build_s = time.perf_counter() - t0
        clone = load_clone(tmp / "clone")
        speech = synthesize_speech("Welcome back everyone. This thermos keeps coffee hot for twelve hours, and today it is twenty percent off. " * 2, SAMPLE_RATE_HZ)
        n = int(len(speech) / SAMPLE_RATE_HZ * clone.fps)

        t0 = time.perf_counter()
        frames = render.render_frames(clone, speech, n)
        first = next(frames)
        setup_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        count = 1 + sum(1 for _ in frames)
        loop_fps = count / (time.perf_counter() - t0)

        base = BaseLoopReader(clone.base_path, clone.base_landmarks)
        label = Label(clone.width, clone.height)
        t0 = time.perf_counter()
        for _ in range(n):
            label.stamp(base.next()[0])
        baseline_fps = n / (time.perf_counter() - t0)

        t0 = time.perf_counter()
        with Mp4Writer(tmp / "out.mp4", clone.width, clone.height, clone.fps, audio=False) as writer:
            for frame in render.render_frames(clone, speech, n):
                writer.write_frame(frame)
        encode_fps = n / (time.perf_counter() - t0)

    result = {
        "size": f"{clone.width}x{clone.height}",
        "fps": clone.fps,
        "footage_seconds": args.seconds,
        "build_seconds": round(build_s, 2),
        "speech_seconds": round(len(speech) / SAMPLE_RATE_HZ, 2),
        "setup_seconds": round(setup_s, 2),
        "render_fps_no_encode": round(loop_fps, 1),
        "baseline_fps_no_mouth": round(baseline_fps, 1),
        "render_fps_with_encode": round(encode_fps, 1),
    }
    print(json.dumps(result))
    print(f"mouth compositing costs {baseline_fps / loop_fps:.2f}x the frame loop without it; "
          f"rendering runs at {loop_fps / clone.fps:.1f}x real time without encoding, {encode_fps / clone.fps:.1f}x with H.264")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
