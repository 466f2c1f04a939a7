"""Memory stays bounded however long the footage: peak RSS of `clone build`
on a short and a long synthetic clip (the long one past the 180 s training cap).

    .venv/bin/python bench/bench_memory.py [--short 40] [--long 240]

Frames are streamed; what is kept per frame is its landmarks and a JPEG of
the lower face, and only the first MAX_TRAIN_SECONDS are learnt from. The
short clip is the baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Run in a child so each figure is that build's own peak, not the parent's.
CHILD = """
import datetime as dt, json, resource, sys, time
from pathlib import Path
from twincast.clone.make import make_clone
from twincast.progress import Progress
t0 = time.perf_counter()
make_clone(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), Progress(enabled=False), dt.datetime.now(dt.timezone.utc))
print(json.dumps({"seconds": round(time.perf_counter() - t0, 1), "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))
"""


def main() -> int:
    import datetime as dt

    from twincast.testing.presenter import make_consented_presenter

    parser = argparse.ArgumentParser()
    parser.add_argument("--short", type=float, default=40.0)
    parser.add_argument("--long", type=float, default=240.0)
    parser.add_argument("--size", type=int, default=512)
    args = parser.parse_args()
    now = dt.datetime.now(dt.timezone.utc)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for name, seconds in (("short", args.short), ("long", args.long)):
            t0 = time.perf_counter()
            clip, consent = make_consented_presenter(tmp, now, name=name, seconds=seconds, fps=25, size=args.size, seed=5)
            made = time.perf_counter() - t0
            out = subprocess.run([sys.executable, "-c", CHILD, str(clip), str(consent), str(tmp / f"clone_{name}")], capture_output=True, text=True, check=True)
            row = json.loads(out.stdout.strip().splitlines()[-1])
            row.update({"footage_seconds": seconds, "file_mb": round(clip.stat().st_size / 1e6, 1), "made_seconds": round(made, 1)})
            results[name] = row
            print(name, json.dumps(row), flush=True)
    ratio = results["long"]["peak_rss_mb"] / results["short"]["peak_rss_mb"]
    print(f"peak RSS long/short: {ratio:.2f}x for {args.long / args.short:.0f}x the footage")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
