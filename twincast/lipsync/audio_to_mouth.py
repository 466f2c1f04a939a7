"""Audio -> mouth features per video frame: ridge regression over a window of
Whisper encoder frames, fitted on the person's own footage.

Each output column (the opening, then each shape coefficient) gets its own
penalty, and each clone its window, picked by cross-validation over five
contiguous parts of the footage; the same held-out predictions set a gain that
undoes ridge's shrinkage, so predicted mouths open as wide as the person's do
instead of hovering near the average mouth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twincast.lipsync.audio_features import ENCODER_HZ

# Windows of encoder frames (20 ms each) around a video frame; the mouth leads
# the sound, so they reach further ahead than back. People differ in how much
# past context helps, so each clone picks its window on its own held-out footage.
CONTEXT_CHOICES = (
    tuple(range(0, 17, 2)),  # the frame itself to 320 ms after
    tuple(range(2, 19, 2)),  # 40 ms to 360 ms after
    tuple(range(-2, 15, 2)),  # 40 ms before to 280 ms after
    tuple(range(-6, 19, 3)),
    tuple(range(-12, 21, 4)),  # 240 ms before to 400 ms after
)
RIDGE_GRID = np.array([1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0, 10000.0])
# One held-out fifth picked windows on a few seconds of speech: on a 14 s clip the choice
# swung with the last 3 s. Five folds judge every window on all of the footage.
FOLDS = 5
# Longer footage is judged on five stretches of SELECTION_SECONDS / 5 spread over it: on all of 180 s,
# the 25 fits of 3,456 features took a build from 91 s to 222 s (bench_memory.py).
SELECTION_SECONDS = 60.0
MAX_GAIN = 2.0


@dataclass
class AudioMouthModel:
    weights: np.ndarray  # (D + 1) x F, last row the bias
    target_mean: np.ndarray
    target_std: np.ndarray
    gain: np.ndarray  # F, shrinkage correction
    offsets: np.ndarray

    FIELDS = ("weights", "target_mean", "target_std", "gain", "offsets")

    def predict(self, feats: np.ndarray, fps: float, n_frames: int) -> np.ndarray:
        x = design(feats, fps, n_frames, self.offsets)
        return self.in_units(x @ self.weights)

    def in_units(self, standardised: np.ndarray) -> np.ndarray:
        """The regression's standardised outputs -> mouth features, shrinkage undone."""
        return standardised * self.gain * self.target_std + self.target_mean

    def to_arrays(self, prefix: str = "a2m_") -> dict[str, np.ndarray]:
        return {prefix + k: getattr(self, k) for k in self.FIELDS}

    @classmethod
    def from_arrays(cls, arrays, prefix: str = "a2m_") -> "AudioMouthModel":
        return cls(**{k: arrays[prefix + k] for k in cls.FIELDS})


def normalise(feats: np.ndarray) -> np.ndarray:
    """Per-recording mean/variance normalisation: removes much of the speaker and channel."""
    mu = feats.mean(axis=0)
    sd = feats.std(axis=0) + 1e-3
    return ((feats - mu) / sd).astype(np.float32)


def design(feats: np.ndarray, fps: float, n_frames: int, offsets) -> np.ndarray:
    """One row per video frame: the encoder frames around it, plus a bias column."""
    centre = np.round(np.arange(n_frames) / fps * ENCODER_HZ).astype(np.int64)
    idx = np.clip(centre[:, None] + np.asarray(offsets)[None, :], 0, max(len(feats) - 1, 0))
    x = normalise(feats)[idx].reshape(n_frames, -1)
    return np.hstack([x, np.ones((n_frames, 1), np.float32)])


class _RidgePath:
    """Ridge solutions for many penalties from one eigendecomposition (centred
    inputs, free bias): of X'X when there are more frames than features, of
    XX' otherwise, so neither memory nor time grows with the larger side squared."""

    def __init__(self, x: np.ndarray, y: np.ndarray) -> None:
        self.x_mean = x[:, :-1].mean(axis=0)
        self.y_mean = y.mean(axis=0)
        xc = x[:, :-1] - self.x_mean
        yc = y - self.y_mean
        if xc.shape[0] >= xc.shape[1]:
            s2, v = np.linalg.eigh(xc.T @ xc)
            self.basis, self.proj = v, v.T @ (xc.T @ yc)
        else:
            s2, u = np.linalg.eigh(xc @ xc.T)
            self.basis, self.proj = xc.T @ u, u.T @ yc
        self.s2 = np.maximum(s2, 0.0)

    def weights(self, lam: np.ndarray) -> np.ndarray:
        """lam: one penalty per output column -> (D + 1) x F with the bias last."""
        w = self.basis @ (self.proj / (self.s2[:, None] + lam[None, :]))
        bias = self.y_mean - self.x_mean @ w
        return np.vstack([w, bias[None, :]])


@dataclass
class HeldOut:
    """The cross-validation's predictions of footage its fit did not see, in feature units:
    what the model makes of new speech, for choices made after the fit (lipsync.choice_fit)."""

    frames: list[np.ndarray]  # per fold, the footage frames predicted (ascending)
    predictions: list[np.ndarray]  # per fold, len(frames) x F


def fit_audio_mouth(feats: np.ndarray, fps: float, targets: np.ndarray, valid: np.ndarray) -> tuple[AudioMouthModel, HeldOut]:
    """targets: n_frames x F mouth features (NaN rows where untracked), opening first."""
    n = len(targets)
    t_mean = np.nanmean(targets[valid], axis=0)
    t_std = np.nanstd(targets[valid], axis=0) + 1e-9
    y = (targets[valid] - t_mean) / t_std
    folds = _folds(len(y), int(SELECTION_SECONDS * fps))
    judged = y[np.concatenate(folds)]
    best = None
    for offsets in CONTEXT_CHOICES:
        x = design(feats, fps, n, offsets).astype(np.float64)[valid]
        preds = _held_out(x, y, folds)
        lam_index = np.argmin(((preds - judged[None]) ** 2).mean(axis=1), axis=0)
        held = preds[lam_index, :, np.arange(y.shape[1])].T
        # The window is judged by how well it follows the opening on unseen footage.
        score = np.corrcoef(held[:, 0], judged[:, 0])[0, 1]
        if best is None or score > best[0]:
            best = (score, offsets, x, RIDGE_GRID[lam_index], held)
    _, offsets, x, lam, held = best
    gain = np.clip(judged.std(axis=0) / np.maximum(held.std(axis=0), 1e-9), 1.0, MAX_GAIN)
    w = _RidgePath(x, y).weights(lam)
    model = AudioMouthModel(
        weights=w.astype(np.float32),
        target_mean=t_mean.astype(np.float32),
        target_std=t_std.astype(np.float32),
        gain=gain.astype(np.float32),
        offsets=np.asarray(offsets),
    )
    valid_frames = np.flatnonzero(valid)
    in_units = model.in_units(held)
    bounds = np.cumsum([0] + [len(f) for f in folds])
    held_out = HeldOut(
        frames=[valid_frames[f] for f in folds],
        predictions=[in_units[a:b].astype(np.float32) for a, b in zip(bounds[:-1], bounds[1:])],
    )
    return model, held_out


def _folds(n: int, limit: int) -> list[np.ndarray]:
    """Rows of the five folds: contiguous stretches, so neighbouring frames (near copies) do not leak
    across. All rows up to `limit`; past it, five stretches of limit / 5 spread evenly."""
    if n <= limit:
        edges = np.linspace(0, n, FOLDS + 1).astype(np.int64)
        return [np.arange(a, b) for a, b in zip(edges[:-1], edges[1:])]
    size = max(1, limit // FOLDS)
    return [np.arange(a, a + size) for a in np.linspace(0, n - size, FOLDS).astype(np.int64)]


def _held_out(x: np.ndarray, y: np.ndarray, folds: list[np.ndarray]) -> np.ndarray:
    """Each fold's rows predicted by a fit on the other folds, for every penalty: L x rows x F,
    rows in fold order."""
    preds = np.zeros((len(RIDGE_GRID), sum(len(f) for f in folds), y.shape[1]))
    at = 0
    for k, rows in enumerate(folds):
        train = np.concatenate([f for j, f in enumerate(folds) if j != k])
        path = _RidgePath(x[train], y[train])
        test = x[rows]
        for i, lam in enumerate(RIDGE_GRID):
            preds[i, at : at + len(rows)] = test @ path.weights(np.full(y.shape[1], lam))
        at += len(rows)
    return preds
