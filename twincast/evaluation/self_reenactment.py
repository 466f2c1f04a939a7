"""Self-reenactment: build a clone from the first part of a clip, drive it with
the held-out tail's own audio on the tail's own frames, re-detect the mouth on
what was rendered and compare with the real tail. Nothing is written but the
metrics (and a contact sheet when asked)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from twincast.clone.build import build_clone
from twincast.evaluation import metrics as m
from twincast.evaluation.baselines import EnergyDriver, frozen_path
from twincast.evaluation.contact_sheet import ContactSheet
from twincast.face.landmarks import LandmarkTracker
from twincast.face.shape import mouth_opening
from twincast.lipsync.audio_features import SAMPLE_RATE_HZ, speech_mask
from twincast.lipsync.compositor import composite
from twincast.lipsync.mouth_track import audio_mouth_track
from twincast.lipsync.retrieval import choose_frames
from twincast.media.audio import frame_rms, load_audio
from twincast.media.footage import iter_frames, probe_footage, require_clone_footage
from twincast.progress import Progress

METHODS = ("clone", "frozen", "energy")


@dataclass
class _Series:
    lmd: list[float] = field(default_factory=list)
    opening: list[float] = field(default_factory=list)
    psnr: list[float] = field(default_factory=list)
    ssim: list[float] = field(default_factory=list)


def evaluate_clip(path: Path, train_fraction: float, progress: Progress, contact_sheet: Path | None = None) -> dict:
    info = probe_footage(path)
    require_clone_footage(info)
    fps = float(info.fps)
    split_frame = int(round(info.duration_s * train_fraction * fps))
    split_s = split_frame / fps
    built = build_clone(info, 0.0, split_s, progress)
    clone = built.clone

    tail_audio = load_audio(info.path, SAMPLE_RATE_HZ, split_s, info.duration_s)
    n_tail = info.frame_count - split_frame
    targets, _ = audio_mouth_track(clone, tail_audio, n_tail)
    scale = clone.shape_scale
    lib = clone.library
    train_rms = frame_rms(built.audio, SAMPLE_RATE_HZ, fps, len(built.opening))
    energy = EnergyDriver(train_rms, built.opening, lib_shapes_full(built))
    tail_rms = frame_rms(tail_audio, SAMPLE_RATE_HZ, fps, n_tail)
    paths = {
        "clone": choose_frames(targets, lib.shapes, lib.frame_ids, scale),
        "frozen": frozen_path(clone, n_tail),
        "energy": choose_frames(energy.targets(tail_rms), lib.shapes, lib.frame_ids, scale),
    }

    series = {k: _Series() for k in METHODS}
    real_open: list[float] = []
    used: list[int] = []
    render_seconds = 0.0
    rendered_frames = 0
    sheet = ContactSheet(METHODS) if contact_sheet else None
    trackers = {k: LandmarkTracker() for k in ("real", *METHODS)}
    try:
        with progress.bar("rendering the held-out tail", total=n_tail, unit="frame") as advance:
            for frame in iter_frames(info, split_s, info.duration_s):
                t = frame.index - split_frame
                advance(1)
                if not 0 <= t < n_tail:
                    continue
                real_pts = trackers["real"](frame.rgb)
                if real_pts is None:
                    continue
                box = m.lower_face_box(real_pts, info.width, info.height)
                renders = {}
                for method in METHODS:
                    j = int(paths[method][t])
                    out = frame.rgb.copy()
                    t0 = time.perf_counter()
                    composite(out, real_pts, lib.crop(j), lib.landmarks[j])
                    if method == "clone":
                        render_seconds += time.perf_counter() - t0
                        rendered_frames += 1
                    renders[method] = out
                    pts = trackers[method](out)
                    s = series[method]
                    if pts is None:
                        s.lmd.append(np.nan)
                        s.opening.append(np.nan)
                    else:
                        s.lmd.append(m.landmark_distance(pts, real_pts))
                        s.opening.append(mouth_opening(pts))
                    x0, y0, x1, y1 = box
                    s.psnr.append(m.psnr(out[y0:y1, x0:x1], frame.rgb[y0:y1, x0:x1]))
                    s.ssim.append(m.ssim(out[y0:y1, x0:x1], frame.rgb[y0:y1, x0:x1]))
                real_open.append(mouth_opening(real_pts))
                used.append(t)
                if sheet is not None:
                    sheet.offer(t, frame.rgb, renders, real_pts, n_tail)
    finally:
        for tracker in trackers.values():
            tracker.close()
    if len(used) < 10:
        from twincast.errors import TwincastError

        raise TwincastError(f"{path.name}: the face is lost in the held-out part", "evaluate footage where the face stays in view")

    used_idx = np.array(used)
    real = np.array(real_open)
    envelope = tail_rms[used_idx]
    silent = ~speech_mask(tail_audio, fps, n_tail)[used_idx]
    threshold = clone.space.open_threshold
    real_lag = m.best_lag(envelope, real)
    methods = {}
    for method in METHODS:
        s = series[method]
        opening = np.array(s.opening)
        methods[method] = {
            "lmd": round(float(np.nanmean(s.lmd)), 4),
            "open_corr": round(m.pearson(opening, real), 3),
            "psnr": round(float(np.mean(s.psnr)), 2),
            "ssim": round(float(np.mean(s.ssim)), 3),
            "av_offset_frames": int(m.best_lag(envelope, np.nan_to_num(opening, nan=np.nanmean(opening))) - real_lag),
            "silence_open_rate": round(m.open_rate(opening, silent, threshold), 3),
        }
    if sheet is not None:
        sheet.save(contact_sheet)
    return {
        "clip": path.name,
        "train_seconds": round(split_s, 2),
        "test_seconds": round(n_tail / fps, 2),
        "build_seconds": round(built.seconds, 2),
        "render_fps": round(rendered_frames / max(render_seconds, 1e-9), 1),
        "methods": methods,
        "real": {"silence_open_rate": round(m.open_rate(real, silent, threshold), 3)},
    }


def lib_shapes_full(built) -> np.ndarray:
    """Shape coefficients for every training frame (NaN rows where untracked)."""
    return built.clone.space.project_many(built.track.landmarks)
