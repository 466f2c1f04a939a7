"""Chat answer latency without an LLM: intent, product match, template, fact check, ad-law guard.

    .venv/bin/python bench/bench_answer.py [--repeats 3]

Answers every message of tests/data/viewer_messages.jsonl against tests/data/answer_catalog.json,
`repeats` times each (the first pass also fills the pinyin and index caches, as a running room
would after its first minutes; `cold_ms` is that first pass alone). Prints one JSON line:
p50/p95/max per answer in milliseconds, goal p95 <= 20 ms on one core."""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"


def main() -> int:
    from twincast.commerce.answer import answer
    from twincast.commerce.model import Catalog

    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    catalog = Catalog.model_validate(json.loads((DATA / "answer_catalog.json").read_text(encoding="utf-8")))
    rows = [json.loads(line) for line in (DATA / "viewer_messages.jsonl").read_text(encoding="utf-8").splitlines() if line]
    cold, warm = [], []
    for rep in range(args.repeats):
        for seed_row in rows:
            t0 = time.perf_counter()
            answer(catalog, seed_row["message"], seed_row["current_sku"], seed=rep)
            (cold if rep == 0 else warm).append((time.perf_counter() - t0) * 1000)
    times = sorted(warm or cold)
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    print(json.dumps({
        "bench": "answer", "messages": len(rows), "repeats": args.repeats,
        "p50_ms": round(statistics.median(times), 3), "p95_ms": round(p95, 3), "max_ms": round(times[-1], 3),
        "cold_p95_ms": round(sorted(cold)[int(0.95 * len(cold))], 3), "cold_max_ms": round(max(cold), 3),
        "goal_p95_ms": 20, "ok": p95 <= 20,
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
