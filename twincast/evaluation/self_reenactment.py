"""Self-reenactment: build a clone from the first part of a clip, drive it with
the held-out tail's own audio on the tail's own frames, re-detect the mouth on
what was rendered and compare with the real tail. Nothing is written but the
metrics (and a contact sheet when asked)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from twincast.clone.base_loop import fill_landmarks
from twincast.clone.build import build_clone
from twincast.clone.tracking import track_footage
from twincast.errors import TwincastError
from twincast.evaluation import metrics as m
from twincast.evaluation.baselines import EnergyDriver, frozen_path
from twincast.evaluation.contact_sheet import ContactSheet
from twincast.face.landmarks import LandmarkTracker
from twincast.face.shape import mouth_opening, pose_proxy
from twincast.lipsync.audio_features import SAMPLE_RATE_HZ
from twincast.lipsync.compositor import composite
from twincast.lipsync.mouth_track import audio_mouth_track
from twincast.lipsync.mouth_choice import choose_mouths
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
    with progress.bar("tracking the held-out tail", total=info.frame_count - split_frame, unit="frame") as advance:
        tail = track_footage(info, split_s, info.duration_s, keep_crops=False, on_frame=advance)
    real_points = tail.landmarks
    n_tail = len(real_points)
    if tail.valid.sum() < 10:
        raise TwincastError(f"{path.name}: the face is lost in the held-out part", "evaluate footage where the face stays in view")
    base_pose = pose_proxy(fill_landmarks(real_points))
    targets, speaking = audio_mouth_track(clone, tail_audio, n_tail)
    train_rms = frame_rms(built.audio, SAMPLE_RATE_HZ, fps, len(built.opening))
    energy = EnergyDriver(train_rms, built.opening, built.features)
    tail_rms = frame_rms(tail_audio, SAMPLE_RATE_HZ, fps, n_tail)
    paths = {
        "clone": choose_mouths(clone, targets, base_pose, speaking),
        "frozen": frozen_path(clone, n_tail),
        "energy": choose_mouths(clone, energy.targets(tail_rms), base_pose),
    }

    lib = clone.library
    series = {k: _Series() for k in METHODS}
    real_open: list[float] = []
    used: list[int] = []
    render_seconds = 0.0
    rendered_frames = 0
    sheet = ContactSheet(METHODS) if contact_sheet else None
    trackers = {k: LandmarkTracker() for k in METHODS}
    try:
        with progress.bar("rendering the held-out tail", total=n_tail, unit="frame") as advance:
            for frame in iter_frames(info, split_s, info.duration_s):
                t = frame.index - tail.first_index
                advance(1)
                if not 0 <= t < n_tail or not tail.valid[t]:
                    continue
                real_pts = real_points[t]
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
    used_idx = np.array(used)
    real = np.array(real_open)
    silent = ~speaking[used_idx]
    threshold = clone.space.open_threshold
    methods = {}
    for method in METHODS:
        s = series[method]
        opening = np.array(s.opening)
        methods[method] = {
            "lmd": round(float(np.nanmean(s.lmd)), 4),
            "open_corr": round(m.pearson(opening, real), 3),
            "psnr": round(float(np.mean(s.psnr)), 2),
            "ssim": round(float(np.mean(s.ssim)), 3),
            # The lag of the rendered mouth against the real one, which is in sync
            # with the sound by definition. Measuring both against the loudness
            # envelope instead is the same quantity in principle, but the
            # envelope correlates with the mouth at ~0 on half the clips, so
            # its best lag is noise (docs/BENCHMARKS.md).
            "av_offset_frames": m.best_lag(real, np.nan_to_num(opening, nan=np.nanmean(opening))),
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
