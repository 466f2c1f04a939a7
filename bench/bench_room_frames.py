"""CPU per frame of a live room's picture: render + label + what the encoder is handed.

    .venv/bin/python bench/bench_room_frames.py [--clone DIR] [--frames 300]

A room keeps its frames in I420 (yuv420p) from the idle loop's decoder to x264 (room/renderer.py).
The baseline in the same run renders the same frames in RGB, as rooms did before, and converts them
for the encoder: decode to rgb24, paste the mouth, crop and resize, banner and label, RGB -> I420.
Both paste the same library mouths onto the same loop frames; CPU is process time (the decoder's
threads included). Without --clone, a clone of the synthetic presenter at 512x512 is built first.
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
SIZES = [(1280, 720, 25), (1080, 1920, 30)]


def main() -> int:
    import cv2
    import numpy as np

    from twincast.clone.base_loop import BaseLoopReader
    from twincast.clone.clone import load_clone
    from twincast.clone.make import make_clone
    from twincast.lipsync.compositor import composite
    from twincast.progress import Progress
    from twincast.room.renderer import RoomRenderer
    from twincast.testing.presenter import make_consented_presenter

    parser = argparse.ArgumentParser()
    parser.add_argument("--clone")
    parser.add_argument("--frames", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        clone_dir = args.clone
        if clone_dir is None:
            now = dt.datetime.now(dt.timezone.utc)
            footage, consent = make_consented_presenter(Path(tmp), now, seconds=20, fps=25, size=512, seed=7)
            clone_dir = make_clone(footage, consent, Path(tmp) / "clone", Progress(enabled=False), now)
        clone = load_clone(Path(clone_dir))
        lib = clone.library
        mouths = [int(m) for m in np.random.default_rng(0).integers(0, len(lib), args.frames)]

        def rgb_frame(reader: BaseLoopReader, renderer: RoomRenderer, mouth: int):  # noqa: ANN202
            frame, points = reader.next()
            composite(frame, points, lib.crop(mouth), lib.landmarks[mouth])
            x0, y0, x1, y1 = renderer.box
            frame = np.ascontiguousarray(frame[y0:y1, x0:x1])
            w, h = renderer.size
            if frame.shape[:2] != (h, w):
                frame = cv2.resize(frame, (w, h), interpolation=cv2.INTER_AREA if frame.shape[1] > w else cv2.INTER_LINEAR)
            frame = renderer.label.stamp(renderer.overlay.stamp(frame))
            return cv2.cvtColor(frame, cv2.COLOR_RGB2YUV_I420)

        results = []
        for w, h, fps in SIZES:
            renderer = RoomRenderer(clone, w, h, "zh")
            renderer.overlay.text = "满100减20  01:30"
            reader = BaseLoopReader(clone.base_path, clone.base_landmarks)
            for m in set(mouths):
                lib.crop(m)  # decoded once, as a room's cache holds them
            cpu = {"rgb": 0.0, "i420": 0.0}
            for m in mouths:  # alternating, so both meet the same machine
                t0 = time.process_time()
                rgb_frame(reader, renderer, m)
                t1 = time.process_time()
                renderer.frame(m)
                cpu["rgb"] += t1 - t0
                cpu["i420"] += time.process_time() - t1
            ms = {k: 1000 * v / len(mouths) for k, v in cpu.items()}
            results.append({
                "clone": f"{clone.width}x{clone.height}", "out": f"{w}x{h}@{fps}",
                "rgb_ms_per_frame": round(ms["rgb"], 2), "i420_ms_per_frame": round(ms["i420"], 2),
                "ratio": round(ms["rgb"] / ms["i420"], 2), "cores_saved": round((ms["rgb"] - ms["i420"]) * fps / 1000, 3),
            })
            print(json.dumps(results[-1]), flush=True)
    for r in results:
        print(f"{r['out']} from a {r['clone']} clone: {r['i420_ms_per_frame']} ms of CPU a frame in I420 against "
              f"{r['rgb_ms_per_frame']} in RGB (x{r['ratio']} faster, {r['cores_saved']} cores less)")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
