"""Audio -> target mouth shape per output frame, still in silence.

Two kinds of silence: a pause between phrases, where the mouth holds the
person's own pause posture (often slightly parted lips, learnt from the
footage's silent frames), and real silence (idle, the end of a reply), where
the mouth closes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.ndimage import gaussian_filter1d

from twincast.lipsync.audio_features import encoder_features, speech_mask

if TYPE_CHECKING:  # the clone module takes SMOOTH_FRAMES from here
    from twincast.clone.clone import Clone

# Coarticulation: a little smoothing, the features already span +-160 ms. Clones built
# since lipsync.choice_fit carry their own (some people's predictions need none).
SMOOTH_FRAMES = 0.8
GATE_RAMP_FRAMES = 1.5  # how fast the mouth settles when the voice stops
PAUSE_MAX_S = 0.7  # a silence between two stretches of speech up to this long is a pause


def speech_gate(speaking: np.ndarray) -> np.ndarray:
    """0 in silence, 1 in speech, with short ramps; never above 0 more than a frame into silence."""
    gate = gaussian_filter1d(speaking.astype(np.float32), GATE_RAMP_FRAMES, mode="nearest")
    # Keep the ramp inside speech: silent frames farther than one frame from speech are exactly 0.
    near = np.convolve(speaking.astype(np.float32), np.ones(3, np.float32), mode="same") > 0
    return np.where(near, np.maximum(gate, speaking), 0.0).clip(0, 1)


def pauses(speaking: np.ndarray, max_frames: int) -> np.ndarray:
    """Silent frames in runs of at most max_frames with speech on both sides."""
    out = np.zeros(len(speaking), bool)
    edges = np.flatnonzero(np.diff(np.concatenate([[1], speaking.astype(np.int8), [1]])))
    for start, end in zip(edges[::2], edges[1::2]):
        if 0 < start and end < len(speaking) and end - start <= max_frames:
            out[start:end] = True
    return out


def gate_to_rest(targets: np.ndarray, speaking: np.ndarray, rest: np.ndarray, pause: np.ndarray, fps: float) -> np.ndarray:
    g = speech_gate(speaking)[:, None]
    short = gaussian_filter1d(pauses(speaking, int(PAUSE_MAX_S * fps)).astype(np.float32), GATE_RAMP_FRAMES)
    still = rest[None, :] + short[:, None] * (pause - rest)[None, :]
    return g * targets + (1 - g) * still


def audio_mouth_track(clone: Clone, audio_16k: np.ndarray, n_frames: int) -> tuple[np.ndarray, np.ndarray]:
    """(targets n_frames x K, speaking n_frames) for audio sampled at 16 kHz."""
    feats = encoder_features(audio_16k)
    raw = clone.audio_model.predict(feats, clone.fps, n_frames)
    speaking = speech_mask(audio_16k, clone.fps, n_frames)
    return shape_track(clone, raw, speaking), speaking


def shape_track(clone: Clone, raw: np.ndarray, speaking: np.ndarray) -> np.ndarray:
    """The audio model's raw per-frame predictions -> targets: smoothed, resting in silence."""
    if clone.smooth_frames > 0:
        raw = gaussian_filter1d(raw, clone.smooth_frames, axis=0, mode="nearest")
    return gate_to_rest(raw, speaking, clone.rest_shape, clone.pause_shape, clone.fps)
