"""Each clone's mouth-choice settings (opening weight, target smoothing) are set on held-out footage."""

from __future__ import annotations

import numpy as np
import pytest

from twincast.clone.clone import Clone
from twincast.clone.library import MouthLibrary
from twincast.face.mouth_space import OPENING_WEIGHT, MouthSpace
from twincast.lipsync.audio_to_mouth import HeldOut
from twincast.lipsync.choice_fit import SMOOTH_CHOICES, WEIGHT_CHOICES, fit_choice
from twincast.lipsync.mouth_track import SMOOTH_FRAMES

FRAMES = 1000
FOLD = FRAMES // 5


def _person(rng, opening_follows_shape: bool):
    """Per-frame features (opening, then 3 coefficients) of a person whose mouth moves smoothly."""
    smooth = lambda x: np.convolve(x, np.ones(5) / 5, mode="same")  # noqa: E731
    shape = np.stack([smooth(rng.normal(size=FRAMES)) for _ in range(3)], axis=1)
    opening = shape[:, 0] + 0.3 * smooth(rng.normal(size=FRAMES)) if opening_follows_shape else smooth(rng.normal(size=FRAMES))
    return np.column_stack([opening, shape]).astype(np.float32)


def _clone(features: np.ndarray) -> Clone:
    space = MouthSpace(
        reference=np.zeros((478, 2)),
        mean=np.zeros(2),
        components=np.zeros((3, 2)),
        variance=np.array([1.0, 1.0, 1.0]),
        closed_opening=float(features[:, 0].min()),
        open_threshold=0.0,
    )
    library = MouthLibrary(
        frame_ids=np.arange(FRAMES, dtype=np.int32),
        shapes=features,
        landmarks=np.zeros((FRAMES, 478, 2), np.float32),  # one head pose throughout
        boxes=np.zeros((FRAMES, 4), np.int32),
        jpegs=[b""] * FRAMES,
    )
    rest = features.mean(axis=0)
    return Clone(fps=25.0, width=64, height=64, space=space, audio_model=None, library=library, rest_shape=rest, pause_shape=rest)


def _fit(features: np.ndarray, predicted: np.ndarray):
    folds = [np.arange(k * FOLD, (k + 1) * FOLD) for k in range(5)]
    held = HeldOut(frames=folds, predictions=[predicted[f] for f in folds])
    landmarks = np.zeros((FRAMES, 478, 2), np.float32)
    return fit_choice(_clone(features), held, landmarks, features[:, 0], np.ones(FRAMES, bool))


def _noisy(rng, features, opening_noise, shape_noise):
    noise = np.column_stack([opening_noise * rng.normal(size=FRAMES), shape_noise * rng.normal(size=(FRAMES, 3))])
    return (features + noise).astype(np.float32)


def test_a_well_predicted_opening_weighs_more_than_badly_predicted_coefficients():
    rng = np.random.default_rng(1)
    features = _person(rng, opening_follows_shape=False)
    choice = _fit(features, _noisy(rng, features, 0.2, 3.0))
    assert choice.opening_weight == WEIGHT_CHOICES.max()
    assert choice.held_out_open_corr > 0.8


def test_an_opening_read_from_well_predicted_coefficients_weighs_less():
    """Here the audio misses the opening but gets the shape it goes with: leaning on the shape
    follows the real opening better than leaning on the poor opening prediction."""
    rng = np.random.default_rng(2)
    features = _person(rng, opening_follows_shape=True)
    choice = _fit(features, _noisy(rng, features, 3.0, 0.05))
    assert choice.opening_weight == WEIGHT_CHOICES.min()


def test_jittery_predictions_are_smoothed_and_clean_ones_are_not():
    rng = np.random.default_rng(4)
    features = _person(rng, opening_follows_shape=False)
    assert _fit(features, _noisy(rng, features, 0.6, 0.6)).smooth_frames == max(SMOOTH_CHOICES)
    assert _fit(features, features.copy()).smooth_frames == 0.0


def test_flat_footage_keeps_the_settings_clones_had_before():
    features = np.ones((FRAMES, 4), np.float32)
    choice = _fit(features, features.copy())
    assert choice.opening_weight == pytest.approx(OPENING_WEIGHT)
    assert choice.smooth_frames == pytest.approx(SMOOTH_FRAMES)
