"""Voice matching on every clip in ../shared/footage: similarity to the real voice and intelligibility.

    .venv/bin/python bench/bench_voice.py [--clips a.mp4 ...] [--unseen] [--train-fraction 0.7] [--wer-repeats N]

One JSON line per clip (twincast.voice.evaluation.evaluate_voice), then a summary
line against the issue's goal: matched similarity at least 0.05 above the base
voice on every clip, WER/CER at most 3 points worse, matching at most 0.05 RTF
(CPU-seconds of the transform per second of speech). Footage is read in place.
--unseen adds a real voice no setting was tuned on (bench/unseen_voice.py: Asterisk's
prompts from a Debian package, joined in a temporary folder).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "footage"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", nargs="*", help="clips to measure (default: ../shared/footage/*.mp4)")
    parser.add_argument("--unseen", action="store_true", help="also a voice never tuned on (needs asterisk-core-sounds-en-g722)")
    parser.add_argument("--train-fraction", type=float, default=0.7)
    parser.add_argument("--wer-repeats", type=int, default=None, help="takes of the WER text per voice (default: as voice eval)")
    args = parser.parse_args()
    clips = [Path(c) for c in args.clips] if args.clips else sorted(SHARED.glob("*.mp4")) if SHARED.exists() else []
    if args.unseen:
        from unseen_voice import PACKAGE, unseen_voice_clip

        scratch = tempfile.TemporaryDirectory()  # removed when the process ends
        clip = unseen_voice_clip(Path(scratch.name))
        if clip is None:
            print(f"note: {PACKAGE} is not installed (apt-get install {PACKAGE}); no unseen voice", file=sys.stderr)
        else:
            clips.append(clip)
    if not clips:
        print(f"note: {SHARED} is absent and no --clips given; nothing to measure", file=sys.stderr)
        return 0

    from twincast.voice.evaluation import WER_REPEATS, evaluate_voice

    rows = []
    for clip in clips:
        start = time.perf_counter()
        row = evaluate_voice(clip, args.train_fraction, progress=lambda step: print(f"  {clip.name}: {step}", file=sys.stderr), wer_repeats=args.wer_repeats or WER_REPEATS)
        row["wall_s"] = round(time.perf_counter() - start, 1)
        rows.append(row)
        print(json.dumps(row), flush=True)
    gains = [r["matched_similarity"] - r["base_similarity"] for r in rows]
    worse = [r["matched_wer"] - r["base_wer"] for r in rows]
    summary = {
        "clips": len(rows),
        "min_similarity_gain": round(min(gains), 4),
        "mean_similarity_gain": round(sum(gains) / len(gains), 4),
        "max_wer_increase": round(max(worse), 4),
        "max_matching_rtf": max(r["matching_rtf"] for r in rows),
        "goal_met": min(gains) >= 0.05 and max(worse) <= 0.03 and max(r["matching_rtf"] for r in rows) <= 0.05,
    }
    print(json.dumps({"summary": summary}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
