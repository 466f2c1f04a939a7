"""Clone quality and speed on every clip in ../shared/footage plus footage never seen before.

    .venv/bin/python bench/bench_clone.py [--clips a.mp4 b.mp4] [--out out/bench]

For each clip: the self-reenactment evaluation (`twincast eval`), printed as
ratios of the clone to the two baselines measured in the same run, and drawn
as a chart. Evaluation footage is read in place and never copied.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "footage"


def _clips(args) -> list[Path]:
    if args.clips:
        return [Path(c) for c in args.clips]
    clips = sorted(SHARED.glob("*.mp4")) if SHARED.exists() else []
    if not clips:
        print(f"note: {SHARED} is absent; measuring synthetic footage only", file=sys.stderr)
    return clips


def _unseen(out: Path) -> Path:
    """A presenter the method was never tuned on: a new seed, size and text of the synthetic generator."""
    from twincast.testing.synthetic_footage import make_talking_footage

    path = out / "unseen_synthetic.mp4"
    if not path.exists():
        make_talking_footage(path, seconds=40.0, fps=30, size=640, seed=1234)
    return path


def main() -> int:
    from twincast.evaluation.self_reenactment import evaluate_clip
    from twincast.progress import Progress

    parser = argparse.ArgumentParser()
    parser.add_argument("--clips", nargs="*")
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "bench")
    parser.add_argument("--train-fraction", type=float, default=0.7)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    clips = _clips(args) + [_unseen(args.out)]
    results = []
    for clip in clips:
        t0 = time.perf_counter()
        r = evaluate_clip(clip, args.train_fraction, Progress(enabled=False), args.out / f"{clip.stem}_sheet.png")
        r["eval_seconds"] = round(time.perf_counter() - t0, 1)
        results.append(r)
        _print_row(r)
    (args.out / "clone_eval.json").write_text(json.dumps(results, indent=2) + "\n")
    _chart(results, args.out / "clone_eval.png")
    print(f"\nwrote {args.out / 'clone_eval.json'}, {args.out / 'clone_eval.png'} and contact sheets")
    return 0


def _print_row(r: dict) -> None:
    m = r["methods"]
    c, f, e = m["clone"], m["frozen"], m["energy"]
    print(f"\n{r['clip']}: train {r['train_seconds']} s, test {r['test_seconds']} s, build {r['build_seconds']} s "
          f"({r['build_seconds'] / r['train_seconds']:.2f}x of footage time), render {r['render_fps']} fps")
    print(f"  {'':8s}{'lmd':>8s}{'open_corr':>11s}{'psnr':>8s}{'ssim':>7s}{'av_off':>8s}{'sil_open':>10s}")
    for name, row in m.items():
        print(f"  {name:8s}{row['lmd']:8.4f}{row['open_corr']:11.3f}{row['psnr']:8.2f}{row['ssim']:7.3f}{row['av_offset_frames']:8d}{row['silence_open_rate']:10.3f}")
    print(f"  real silence_open_rate {r['real']['silence_open_rate']:.3f}")
    print(f"  ratios: lmd clone/frozen {c['lmd'] / f['lmd']:.2f}, clone/energy {c['lmd'] / e['lmd']:.2f}; "
          f"open_corr clone-frozen {c['open_corr'] - f['open_corr']:+.3f}, clone-energy {c['open_corr'] - e['open_corr']:+.3f}")


def _chart(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    names = [r["clip"].replace(".mp4", "") for r in results]
    methods = ("clone", "energy", "frozen")
    colours = {"clone": "#1b6", "energy": "#e93", "frozen": "#999"}
    fig, axes = plt.subplots(1, 2, figsize=(12, 3.8))
    x = np.arange(len(names))
    for ax, key, title in ((axes[0], "open_corr", "mouth-opening correlation (higher is better)"), (axes[1], "lmd", "mouth landmark distance / eye distance (lower is better)")):
        for k, method in enumerate(methods):
            ax.bar(x + (k - 1) * 0.27, [r["methods"][method][key] for r in results], 0.27, label=method, color=colours[method])
        ax.set_xticks(x, names, rotation=15, fontsize=8)
        ax.set_title(title, fontsize=10)
    axes[0].axhline(0.6, color="#c33", lw=0.8, ls="--")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
