"""Audio -> mouth shape coefficients per video frame: ridge regression over a
window of Whisper encoder frames, fitted on the person's own footage."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twincast.lipsync.audio_features import ENCODER_HZ

CONTEXT_OFFSETS = tuple(range(-8, 9, 2))  # encoder frames (20 ms each): +-160 ms
RIDGE_GRID = (1.0, 10.0, 100.0, 1000.0, 10000.0)


@dataclass
class AudioMouthModel:
    weights: np.ndarray  # (D + 1) x K, last row the bias
    target_mean: np.ndarray
    target_std: np.ndarray
    offsets: np.ndarray

    def predict(self, feats: np.ndarray, fps: float, n_frames: int) -> np.ndarray:
        x = stack_context(normalise(feats), fps, n_frames, self.offsets)
        x = np.hstack([x, np.ones((n_frames, 1), np.float32)])
        y = x @ self.weights
        return y * self.target_std + self.target_mean

    def to_arrays(self, prefix: str = "a2m_") -> dict[str, np.ndarray]:
        return {prefix + k: getattr(self, k) for k in ("weights", "target_mean", "target_std", "offsets")}

    @classmethod
    def from_arrays(cls, arrays, prefix: str = "a2m_") -> "AudioMouthModel":
        return cls(**{k: arrays[prefix + k] for k in ("weights", "target_mean", "target_std", "offsets")})


def normalise(feats: np.ndarray) -> np.ndarray:
    """Per-recording mean/variance normalisation: removes much of the speaker and channel."""
    mu = feats.mean(axis=0)
    sd = feats.std(axis=0) + 1e-3
    return ((feats - mu) / sd).astype(np.float32)


def stack_context(feats: np.ndarray, fps: float, n_frames: int, offsets) -> np.ndarray:
    centre = np.round(np.arange(n_frames) / fps * ENCODER_HZ).astype(np.int64)
    idx = np.clip(centre[:, None] + np.asarray(offsets)[None, :], 0, max(len(feats) - 1, 0))
    return feats[idx].reshape(n_frames, -1)


def _ridge(x: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    n, d = x.shape
    if d <= n:
        a = x.T @ x
        a[np.diag_indices(d)] += lam
        a[-1, -1] -= lam  # leave the bias unpenalised
        return np.linalg.solve(a, x.T @ y)
    k = x @ x.T
    k[np.diag_indices(n)] += lam
    return x.T @ np.linalg.solve(k, y)


def fit_audio_mouth(feats: np.ndarray, fps: float, targets: np.ndarray, valid: np.ndarray) -> AudioMouthModel:
    """Fit on frames where the face was tracked; pick the penalty on the last fifth."""
    n = len(targets)
    x_all = stack_context(normalise(feats), fps, n, CONTEXT_OFFSETS)
    x_all = np.hstack([x_all, np.ones((n, 1), np.float32)]).astype(np.float64)
    t_mean = np.nanmean(targets[valid], axis=0)
    t_std = np.nanstd(targets[valid], axis=0) + 1e-6
    y_all = np.where(valid[:, None], (targets - t_mean) / t_std, 0.0)
    x, y = x_all[valid], y_all[valid]
    split = int(0.8 * len(x))
    best, best_err = RIDGE_GRID[0], np.inf
    for lam in RIDGE_GRID:
        w = _ridge(x[:split], y[:split], lam)
        err = float(np.mean((x[split:] @ w - y[split:]) ** 2))
        if err < best_err:
            best, best_err = lam, err
    w = _ridge(x, y, best)
    return AudioMouthModel(
        weights=w.astype(np.float32),
        target_mean=t_mean.astype(np.float32),
        target_std=t_std.astype(np.float32),
        offsets=np.asarray(CONTEXT_OFFSETS),
    )
