"""Reference mouth drivers every score is printed beside: a frozen mouth, and
mouth opening = audio loudness."""

from __future__ import annotations

import numpy as np

from twincast.clone.clone import Clone


def frozen_path(clone: Clone, n_frames: int) -> np.ndarray:
    """One resting mouth for every frame."""
    lib = clone.library.shapes / clone.shape_scale
    rest = clone.rest_shape / clone.shape_scale
    best = int(np.argmin(((lib - rest) ** 2).sum(-1)))
    return np.full(n_frames, best, np.int64)


class EnergyDriver:
    """Loudness -> opening by matching their distributions on the training part,
    then opening -> shape by a straight-line fit."""

    def __init__(self, train_rms: np.ndarray, train_opening: np.ndarray, train_shapes: np.ndarray) -> None:
        ok = ~np.isnan(train_opening)
        self.rms_q = np.percentile(np.log(train_rms[ok] + 1e-5), np.linspace(0, 100, 101))
        self.open_q = np.percentile(train_opening[ok], np.linspace(0, 100, 101))
        x = np.stack([train_opening[ok], np.ones(ok.sum())], axis=1)
        self.coef, *_ = np.linalg.lstsq(x, train_shapes[ok], rcond=None)

    def targets(self, rms: np.ndarray) -> np.ndarray:
        opening = np.interp(np.log(rms + 1e-5), self.rms_q, self.open_q)
        return np.stack([opening, np.ones_like(opening)], axis=1) @ self.coef
