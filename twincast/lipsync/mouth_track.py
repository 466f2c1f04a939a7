"""Audio -> target mouth shape per output frame, closed and still in silence."""

from __future__ import annotations

import numpy as np
from scipy.ndimage import gaussian_filter1d

from twincast.clone.clone import Clone
from twincast.lipsync.audio_features import encoder_features, speech_mask

SMOOTH_FRAMES = 0.8  # coarticulation: a little smoothing, the features already span +-160 ms
GATE_RAMP_FRAMES = 1.5  # how fast the mouth settles when the voice stops


def speech_gate(speaking: np.ndarray) -> np.ndarray:
    """0 in silence, 1 in speech, with short ramps; never above 0 more than a frame into silence."""
    gate = gaussian_filter1d(speaking.astype(np.float32), GATE_RAMP_FRAMES, mode="nearest")
    # Keep the ramp inside speech: silent frames farther than one frame from speech are exactly 0.
    near = np.convolve(speaking.astype(np.float32), np.ones(3, np.float32), mode="same") > 0
    return np.where(near, np.maximum(gate, speaking), 0.0).clip(0, 1)


def gate_to_rest(targets: np.ndarray, speaking: np.ndarray, rest: np.ndarray) -> np.ndarray:
    g = speech_gate(speaking)[:, None]
    return g * targets + (1 - g) * rest[None, :]


def audio_mouth_track(clone: Clone, audio_16k: np.ndarray, n_frames: int) -> tuple[np.ndarray, np.ndarray]:
    """(targets n_frames x K, speaking n_frames) for audio sampled at 16 kHz."""
    feats = encoder_features(audio_16k)
    raw = clone.audio_model.predict(feats, clone.fps, n_frames)
    raw = gaussian_filter1d(raw, SMOOTH_FRAMES, axis=0, mode="nearest")
    speaking = speech_mask(audio_16k, clone.fps, n_frames)
    return gate_to_rest(raw, speaking, clone.rest_shape), speaking
