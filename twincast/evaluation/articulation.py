"""Do the rendered lips follow the words? Measured on what was rendered.

The mouth is re-detected on the output frames (not read from the targets or
the chosen library mouths), so the compositor, the label and the landmark
model are all inside the measurement, as a viewer would see them.

Lips closed: opening <= halfway between the person's closed level and their
open threshold (MouthSpace.closed_opening, .open_threshold). The closed level
is the 10th percentile of their own openings, so it is where sealed lips read
for this face; halfway leaves room for re-detection noise without counting
parted lips (at the open threshold they read as talking) as closed.
Lips open: opening > the open threshold, the line the clone build and the
lipsync evaluation use. A frame with no face re-detected fails every test.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from twincast.face.landmarks import LandmarkTracker
from twincast.face.mouth_space import MouthSpace
from twincast.face.shape import mouth_opening
from twincast.lipsync.phone_track import BILABIAL, CLASS_NAMES, OPEN, SILENCE

GOALS = {"bilabial_closure_rate": (">=", 0.9), "open_vowel_rate": (">=", 0.9), "silence_open_rate": ("<=", 0.05)}


def closed_level(space: MouthSpace) -> float:
    return 0.5 * (space.closed_opening + space.open_threshold)


class OpeningMeter:
    """Re-detects the mouth on rendered frames, one after another (tracking mode)."""

    def __init__(self) -> None:
        self._tracker = LandmarkTracker()
        self.openings: list[float] = []

    def __call__(self, rgb: np.ndarray) -> np.ndarray:
        points = self._tracker(rgb)
        self.openings.append(np.nan if points is None else mouth_opening(points))
        return rgb

    def close(self) -> None:
        self._tracker.close()


def _rate(hits: np.ndarray, where: np.ndarray) -> float | None:
    return round(float(hits[where].mean()), 3) if where.any() else None


def articulation_report(classes: np.ndarray, opening: np.ndarray, space: MouthSpace) -> dict:
    """classes: per-frame phone classes (phone_track.frame_classes); opening: the
    re-detected opening per frame, NaN where no face was found."""
    opening = np.asarray(opening, np.float64)
    found = ~np.isnan(opening)
    level, threshold = closed_level(space), space.open_threshold
    closed = found & (np.nan_to_num(opening, nan=np.inf) <= level)
    wide = found & (np.nan_to_num(opening, nan=-np.inf) > threshold)
    # No face is a failure everywhere, silence included: it counts as open there.
    open_or_lost = wide | ~found
    report = {
        "bilabial_closure_rate": _rate(closed, classes == BILABIAL),
        "open_vowel_rate": _rate(wide, classes == OPEN),
        "silence_open_rate": _rate(open_or_lost, classes == SILENCE),
        "frames": {name: int((classes == c).sum()) for c, name in CLASS_NAMES.items()},
        "frames_without_face": int((~found).sum()),
        "closed_level": round(level, 4),
        "open_threshold": round(threshold, 4),
    }
    report["goals"] = {k: f"{op} {v}" for k, (op, v) in GOALS.items()}
    report["goals_met"] = all(
        report[k] is None or (report[k] >= v if op == ">=" else report[k] <= v) for k, (op, v) in GOALS.items()
    )
    return report


def draw_articulation(path: Path, classes: np.ndarray, opening: np.ndarray, space: MouthSpace, fps: float) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = np.arange(len(opening)) / fps
    colours = {BILABIAL: "tab:red", OPEN: "tab:green", SILENCE: "0.85"}
    fig, ax = plt.subplots(figsize=(min(4 + len(t) / fps * 0.8, 24), 3.2), dpi=100)
    for c, colour in colours.items():
        mask = np.concatenate([[0], (classes == c).astype(np.int8), [0]])
        edges = np.flatnonzero(np.diff(mask))
        for i, (a, b) in enumerate(zip(edges[::2], edges[1::2])):
            ax.axvspan(a / fps, b / fps, color=colour, alpha=0.3, lw=0, label=CLASS_NAMES[c] if i == 0 else None)
    ax.plot(t + 0.5 / fps, opening, color="k", lw=1, label="re-detected opening")
    ax.axhline(space.open_threshold, color="tab:green", ls="--", lw=0.8, label="open threshold")
    ax.axhline(closed_level(space), color="tab:red", ls="--", lw=0.8, label="closed level")
    lost = np.isnan(opening)
    if lost.any():
        ax.plot(t[lost] + 0.5 / fps, np.zeros(lost.sum()), "x", color="m", label="no face")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("mouth opening")
    ax.set_xlim(0, max(len(t) / fps, 1 / fps))
    ax.legend(loc="upper right", fontsize=7, ncol=3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return Path(path)
