"""The build's quality report: what the footage gave, what was dropped and why,
how much of the mouth's range is covered, and a picture of it."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from twincast.face.landmarks import face_width
from twincast.face.shape import interocular

COVERAGE_BINS = 10
MIN_PER_BIN = 3


def make_report(built, fps: float, warnings: list[str]) -> dict:
    track = built.track
    valid = track.valid
    n = len(valid)
    widths = [face_width(p) for p in track.landmarks[valid]]
    opening = built.opening
    ok = ~np.isnan(opening)
    space = built.clone.space
    lo, hi = space.closed_opening, float(np.nanpercentile(opening, 99))
    hist, _ = np.histogram(opening[ok], bins=COVERAGE_BINS, range=(lo, max(hi, lo + 1e-6)))
    coverage = float((hist >= MIN_PER_BIN).mean())
    silent_s = float((~built.speaking & valid).sum() / fps)
    report_warnings = list(warnings)
    if coverage < 0.7:
        report_warnings.append("few wide-open mouth shapes: record some lively speech so the clone can open its mouth fully")
    if silent_s < 2.0:
        report_warnings.append("under 2 s of silence: the idle loop will come from speaking footage; add a few seconds of listening")
    return {
        "frames_total": n,
        "frames_used": int(valid.sum()),
        "frames_dropped": {k: int(v) for k, v in track.drop_reasons.items()},
        "face_width_px_median": round(float(np.median(widths)), 1),
        "interocular_px_median": round(float(np.median([interocular(p) for p in track.landmarks[valid]])), 1),
        "mouth_shape_coverage": round(coverage, 2),
        "mouth_open_fraction": round(float((opening[ok] > space.open_threshold).mean()), 3),
        "speech_seconds": round(float(built.speaking.sum() / fps), 1),
        "silence_seconds": round(silent_s, 1),
        # How closely the clone's mouth opening followed speech it was not fitted on (Pearson r).
        "lipsync_held_out_open_corr": None if np.isnan(built.held_out_open_corr) else round(built.held_out_open_corr, 3),
        "mouth_choice_opening_weight": round(built.clone.opening_weight, 2),
        "mouth_smoothing_frames": round(built.clone.smooth_frames, 2),
        "build_seconds": round(built.seconds, 1),
        "warnings": report_warnings,
    }


def draw_report(built, fps: float, report: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    opening = built.opening
    t = np.arange(len(opening)) / fps
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.4), gridspec_kw={"width_ratios": [3, 1]})
    ax1.fill_between(t, 0, np.nanmax(opening) * built.speaking, color="#cde", step="mid", label="voice active")
    ax1.plot(t, opening, color="#124", lw=0.9, label="mouth opening")
    ax1.axhline(built.clone.space.open_threshold, color="#c33", lw=0.8, ls="--", label="open threshold")
    ax1.set_xlabel("seconds")
    ax1.set_ylabel("inner-lip gap / eye distance")
    ax1.legend(loc="upper right", fontsize=7)
    ax1.set_title(f"{report['frames_used']} of {report['frames_total']} frames used, face {report['face_width_px_median']:.0f} px wide")
    ax2.hist(opening[~np.isnan(opening)], bins=30, color="#124")
    ax2.set_title(f"mouth shapes: coverage {report['mouth_shape_coverage']:.0%}")
    ax2.set_xlabel("opening")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
