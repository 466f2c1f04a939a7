"""How each clone smooths its predicted mouth and how much the opening counts in
its mouth choice, both set on the person's own footage.

The audio predicts some people's opening better than the rest of their mouth
shape, others the other way round, and some people's predictions are jittery
where others' are already smooth; one pair of constants lost opening on one clip
to steady another. So each build replays its cross-validation end to end: every
held-out part of the training footage is voiced by the model's predictions for
it (never fitted on it), smoothed, gated to rest in silence, and given mouths
from the library without that part's own frames; the pair whose chosen mouths
follow the real opening best is kept. Head pose and the cost of cuts keep their
fixed weights: they guard against visible streaks and flicker, which the
opening cannot see.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from twincast.clone.base_loop import fill_landmarks
from twincast.clone.clone import Clone
from twincast.evaluation.metrics import pearson
from twincast.face.mouth_space import OPENING_WEIGHT
from twincast.face.shape import pose_proxy
from twincast.lipsync.audio_to_mouth import HeldOut
from twincast.lipsync.mouth_choice import choose_mouths
from twincast.lipsync.mouth_track import SMOOTH_FRAMES, shape_track

WEIGHT_CHOICES = OPENING_WEIGHT * np.array([0.7, 1.0, 1.5, 2.0, 3.0, 5.0])
SMOOTH_CHOICES = (0.0, SMOOTH_FRAMES, 1.5)  # Gaussian sigma in frames
# Frames next to a held-out part are near copies of its edge frames: kept out of its library too.
MARGIN_FRAMES = 5


@dataclass
class ChoiceFit:
    opening_weight: float
    smooth_frames: float
    held_out_open_corr: float  # chosen mouths' opening vs the real one on unseen footage, with these


def fit_choice(clone: Clone, held: HeldOut, landmarks: np.ndarray, opening: np.ndarray, speaking: np.ndarray) -> ChoiceFit:
    """landmarks, opening (NaN where untracked), speaking: per training frame."""
    ids = clone.library.frame_ids
    # Per held-out part, what does not change with the settings: the head pose it is pasted on and
    # the library mouths it may use (none of its own frames). Parts left with no mouth are skipped.
    fixed = []
    for frames, predicted in zip(held.frames, held.predictions):
        start, end = int(frames[0]), int(frames[-1]) + 1
        allowed = (ids < start - MARGIN_FRAMES) | (ids >= end + MARGIN_FRAMES)
        if allowed.any():
            fixed.append((frames, predicted, pose_proxy(fill_landmarks(landmarks[start:end])), allowed))
    scores = {}
    for smooth in SMOOTH_CHOICES:
        trial = dataclasses.replace(clone, smooth_frames=float(smooth))
        parts = [(_targets(trial, frames, predicted, speaking), pose, allowed) for frames, predicted, pose, allowed in fixed]
        for weight in WEIGHT_CHOICES:
            trial.opening_weight = float(weight)
            chosen, real = [], []
            for (start, targets, part_speaking), pose, allowed in parts:
                path = choose_mouths(trial, targets, pose, part_speaking, allowed=allowed)
                chosen.append(clone.library.shapes[path, 0])
                real.append(opening[start : start + len(targets)])
            if chosen:
                scores[(float(weight), float(smooth))] = pearson(np.concatenate(chosen), np.concatenate(real))
    if not scores:
        return ChoiceFit(OPENING_WEIGHT, SMOOTH_FRAMES, float("nan"))
    # On a tie (flat footage) the settings clones had before are kept.
    before = (OPENING_WEIGHT, SMOOTH_FRAMES)
    weight, smooth = max(scores, key=lambda k: (scores[k], k == before))
    return ChoiceFit(weight, smooth, scores[(weight, smooth)])


def _targets(clone: Clone, frames: np.ndarray, predicted: np.ndarray, speaking: np.ndarray):
    """A held-out part as the renderer would see it: every frame from its first to its last
    (untracked ones interpolated), then smoothed and resting in silence (lipsync.mouth_track)."""
    start, end = int(frames[0]), int(frames[-1]) + 1
    at = frames - start
    raw = np.stack([np.interp(np.arange(end - start), at, predicted[:, j]) for j in range(predicted.shape[1])], axis=1)
    part_speaking = speaking[start:end]
    return start, shape_track(clone, raw, part_speaking).astype(np.float32), part_speaking
