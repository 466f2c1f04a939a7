"""Footage -> clone: track the face, learn the mouth space and the audio->mouth
model from the person's own voice, keep a library of real mouths, cut an idle loop."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from twincast.clone.clone import Clone
from twincast.clone.library import build_library
from twincast.clone.tracking import TrackResult, require_usable_face, track_footage
from twincast.face.mouth_space import fit_mouth_space
from twincast.face.shape import canonical_reference
from twincast.lipsync.audio_features import SAMPLE_RATE_HZ, encoder_features, speech_mask
from twincast.lipsync.audio_to_mouth import fit_audio_mouth
from twincast.lipsync.choice_fit import fit_choice
from twincast.media.audio import load_audio
from twincast.media.footage import FootageInfo
from twincast.progress import Progress

MAX_TRAIN_SECONDS = 180.0  # more footage adds little; bounds build time and memory on long files


@dataclass
class BuildResult:
    clone: Clone
    track: TrackResult
    audio: np.ndarray  # 16 kHz mono of the training span
    speaking: np.ndarray  # per training frame
    features: np.ndarray  # per training frame: opening, then shape coefficients (NaN where untracked)
    seconds: float
    held_out_open_corr: float  # chosen mouths' opening vs the real one on footage the fit did not see

    @property
    def opening(self) -> np.ndarray:
        return self.features[:, 0]


def build_clone(info: FootageInfo, start_s: float, end_s: float, progress: Progress, keep_crops: bool = True) -> BuildResult:
    t0 = time.perf_counter()
    if end_s - start_s > MAX_TRAIN_SECONDS:
        progress.warn(f"using the first {MAX_TRAIN_SECONDS:.0f} s of {end_s - start_s:.0f} s of footage")
        end_s = start_s + MAX_TRAIN_SECONDS
    n_expected = int(np.floor((end_s - start_s) * float(info.fps) + 1e-6))
    with progress.bar("tracking the face", total=n_expected, unit="frame") as advance:
        track = track_footage(info, start_s, end_s, keep_crops=keep_crops, on_frame=advance)
    require_usable_face(track, info.path.name)
    for warning in track.warnings:
        progress.warn(warning)

    with progress.step("learning the mouth from the voice"):
        fps = float(info.fps)
        n = len(track.landmarks)
        valid = track.valid
        reference = canonical_reference(np.nanmedian(track.landmarks[valid], axis=0))
        space = fit_mouth_space(track.landmarks, reference)
        shapes = space.features(track.landmarks)
        opening = shapes[:, 0]
        audio = load_audio(info.path, SAMPLE_RATE_HZ, start_s, end_s)
        feats = encoder_features(audio)
        speaking = speech_mask(audio, fps, n)
        model, held = fit_audio_mouth(feats, fps, shapes, valid)
        rest = rest_shape(shapes, opening, speaking, space.closed_opening, space.open_threshold)
        pause = pause_shape(shapes, speaking, rest)
        library = build_library(track, shapes)

    clone = Clone(
        fps=fps,
        width=info.width,
        height=info.height,
        space=space,
        audio_model=model,
        library=library,
        rest_shape=rest,
        pause_shape=pause,
    )
    with progress.step("tuning the mouth choice on unseen footage"):
        choice = fit_choice(clone, held, track.landmarks, opening, speaking)
        clone.opening_weight, clone.smooth_frames = choice.opening_weight, choice.smooth_frames
    return BuildResult(clone, track, audio, speaking, shapes, time.perf_counter() - t0, choice.held_out_open_corr)


def rest_shape(shapes: np.ndarray, opening: np.ndarray, speaking: np.ndarray, closed: float, threshold: float) -> np.ndarray:
    """The mouth at rest: silent frames with the lips together (any closed frames if none are silent)."""
    ok = ~np.isnan(opening)
    resting = ok & ~speaking & (opening <= threshold)
    if resting.sum() < 5:
        resting = ok & (opening <= max(closed, np.nanpercentile(opening, 20)))
    return np.nanmedian(shapes[resting], axis=0).astype(np.float32)



def pause_shape(shapes: np.ndarray, speaking: np.ndarray, rest: np.ndarray) -> np.ndarray:
    """The mouth in a pause between phrases: the person's own average silent
    mouth (many people rest with their lips slightly parted while talking)."""
    silent = ~speaking & ~np.isnan(shapes[:, 0])
    if silent.sum() < 5:
        return rest.copy()
    return np.nanmean(shapes[silent], axis=0).astype(np.float32)
