"""The person's mouth shape space: PCA of pose-normalised lip and chin points.

A mouth is described by its features: the opening first (what viewers read
as speech), then a few shape coefficients (rounding, spreading, jaw), so
distances between mouths compare whole mouths, not just the gap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twincast.face.shape import mouth_opening, normalised_shape

N_COMPONENTS = 8
# The opening's weight relative to the first shape coefficient: what clones built before
# each chose its own had, and the middle of the choices (lipsync.choice_fit).
OPENING_WEIGHT = 1.5


@dataclass
class MouthSpace:
    reference: np.ndarray  # 478 x 2 reference face (head pose removed)
    mean: np.ndarray  # D
    components: np.ndarray  # K x D
    variance: np.ndarray  # K
    closed_opening: float  # typical opening with the lips together
    open_threshold: float  # opening above which the mouth counts as open

    def project(self, points: np.ndarray) -> np.ndarray:
        return (normalised_shape(points, self.reference) - self.mean) @ self.components.T

    def features(self, landmarks: np.ndarray) -> np.ndarray:
        """n x (1 + K): opening, then shape coefficients (NaN rows where untracked)."""
        out = np.full((len(landmarks), 1 + len(self.components)), np.nan, np.float32)
        for i, pts in enumerate(landmarks):
            if not np.isnan(pts[0, 0]):
                out[i, 0] = mouth_opening(pts)
                out[i, 1:] = self.project(pts)
        return out

    def feature_scale(self, features: np.ndarray, opening_weight: float = OPENING_WEIGHT) -> np.ndarray:
        """Per-feature divisor for distances: the opening weighs most, then
        coefficients by how much of the mouth's motion they carry."""
        spread = np.nanstd(features, axis=0) + 1e-9
        weight = np.concatenate([[opening_weight], (self.variance / self.variance[0]) ** 0.25])
        return (spread / weight).astype(np.float32)

    def to_arrays(self, prefix: str = "space_") -> dict[str, np.ndarray]:
        return {
            prefix + "reference": self.reference,
            prefix + "mean": self.mean,
            prefix + "components": self.components,
            prefix + "variance": self.variance,
            prefix + "thresholds": np.array([self.closed_opening, self.open_threshold]),
        }

    @classmethod
    def from_arrays(cls, arrays, prefix: str = "space_") -> "MouthSpace":
        closed, threshold = arrays[prefix + "thresholds"]
        return cls(
            reference=arrays[prefix + "reference"],
            mean=arrays[prefix + "mean"],
            components=arrays[prefix + "components"],
            variance=arrays[prefix + "variance"],
            closed_opening=float(closed),
            open_threshold=float(threshold),
        )


def openings(landmarks: np.ndarray) -> np.ndarray:
    return np.array([mouth_opening(p) if not np.isnan(p[0, 0]) else np.nan for p in landmarks], np.float32)


def open_threshold(opening: np.ndarray) -> tuple[float, float]:
    """(closed level, threshold): a quarter of the way from closed to wide open.

    Levels are percentiles of the person's own openings, so the threshold is
    the same whether their lips rest sealed or slightly apart.
    """
    values = opening[~np.isnan(opening)]
    closed, wide = np.percentile(values, 10), np.percentile(values, 90)
    return float(closed), float(closed + 0.25 * (wide - closed))


def fit_mouth_space(landmarks: np.ndarray, reference: np.ndarray) -> MouthSpace:
    valid = ~np.isnan(landmarks[:, 0, 0])
    shapes = np.stack([normalised_shape(p, reference) for p in landmarks[valid]])
    mean = shapes.mean(axis=0)
    _, s, vt = np.linalg.svd(shapes - mean, full_matrices=False)
    k = min(N_COMPONENTS, len(s))
    closed, threshold = open_threshold(openings(landmarks[valid]))
    return MouthSpace(
        reference=reference.astype(np.float32),
        mean=mean.astype(np.float32),
        components=vt[:k].astype(np.float32),
        variance=(s[:k] ** 2 / max(len(shapes) - 1, 1)).astype(np.float32),
        closed_opening=closed,
        open_threshold=threshold,
    )
