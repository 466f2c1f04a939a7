"""Lips that follow the words, on real people: `say` on every shared clip.

    .venv/bin/python bench/bench_say.py [--clips a.mp4 ...] [--out out/bench_say] [--seconds 60]

For each clip in ../shared/footage: build a clone from its first --seconds
(evaluation only: consent is implied for this internal material and no
consent record is written; the clone is marked so and deleted afterwards), then
`say` one Mandarin and one English commerce sentence and print one JSON line
per clip and language with the articulation figures re-detected on the
rendered frames (twincast.evaluation.articulation). Footage is read in place
and never copied.
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
SHARED = ROOT.parent / "shared" / "footage"
SENTENCES = {
    "zh": "这款保温杯原价一百九十八元，今天直播间只要九十九元，买一送一，喜欢的宝宝赶快下单吧。",
    "en": "This bamboo cutting board is just nine dollars today, grab a pack of two, and shipping is free for my members.",
}
NOW = dt.datetime.now(dt.timezone.utc)


def build_eval_clone(clip: Path, out_dir: Path, seconds: float) -> Path:
    """A clone of the clip's first `seconds`, for evaluation only (no consent
    record: the shared clips are internal material, see SOURCES.md)."""
    import numpy as np

    from twincast.clone.base_loop import choose_loop, write_loop
    from twincast.clone.build import build_clone
    from twincast.media.footage import probe_footage, require_clone_footage
    from twincast.progress import Progress

    info = probe_footage(clip)
    require_clone_footage(info)
    built = build_clone(info, 0.0, min(seconds, info.duration_s), Progress(enabled=False))
    clone = built.clone
    with tempfile.TemporaryDirectory(prefix=".loop-", dir=out_dir.parent) as tmp:
        closed = np.nan_to_num(built.opening, nan=np.inf) <= clone.space.open_threshold
        start, end = choose_loop(built.track.valid, built.speaking, closed, clone.fps)
        base = Path(tmp) / "base.mp4"
        clone.base_landmarks = write_loop(info, built.track.first_index, start, end, built.track.landmarks, base)
        clone.manifest = {
            "person": f"evaluation only: {clip.name}",
            "consent_scope": ["video"],
            "consent_expires": (NOW.date() + dt.timedelta(days=1)).isoformat(),
            "footage_name": clip.name,
        }
        clone.save(out_dir, base, {"evaluation_only": True}, None)
    return out_dir


def main() -> int:
    from twincast.lipsync.say import say_file
    from twincast.progress import Progress
    from twincast.voice.stream import Voice

    parser = argparse.ArgumentParser()
    parser.add_argument("--clips", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "bench_say")
    parser.add_argument("--seconds", type=float, default=60.0, help="footage used to build each clone")
    args = parser.parse_args()
    clips = args.clips or (sorted(SHARED.glob("*.mp4")) if SHARED.exists() else [])
    if not clips:
        print(f"note: no clips ({SHARED} is absent); nothing to measure", file=sys.stderr)
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    voice = Voice()
    rows = []
    for clip in clips:
        # Clones and videos of real people live in a temporary folder and go
        # with it: only the figures and the opening plots stay under --out.
        with tempfile.TemporaryDirectory(prefix="bench-say-") as tmp:
            clone_dir = Path(tmp) / "clone"
            t0 = time.perf_counter()
            build_eval_clone(clip, clone_dir, args.seconds)
            build_s = time.perf_counter() - t0
            for lang, text in SENTENCES.items():
                report = args.out / f"{clip.stem}_{lang}.json"
                r = say_file(clone_dir, voice, text, lang, Path(tmp) / f"{lang}.mp4", Progress(enabled=False), NOW, report_path=report)
                a = r["articulation"]
                row = {
                    "clip": clip.name,
                    "lang": lang,
                    "seconds": r["seconds"],
                    "bilabial_closure_rate": a["bilabial_closure_rate"],
                    "open_vowel_rate": a["open_vowel_rate"],
                    "silence_open_rate": a["silence_open_rate"],
                    "frames": a["frames"],
                    "frames_without_face": a["frames_without_face"],
                    "goals_met": a["goals_met"],
                    "build_s": round(build_s, 1),
                    "say_s": r["render_seconds"],
                }
                rows.append(row)
                print(json.dumps(row, ensure_ascii=False), flush=True)
    (args.out / "say_eval.json").write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
