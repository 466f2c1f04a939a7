"""Pose-normalised mouth geometry: opening, inter-ocular distance, shape vectors."""

from __future__ import annotations

import numpy as np

from twincast.face import indices as ix


def interocular(points: np.ndarray) -> float:
    left = points[ix.EYE_LEFT, :2].mean(axis=0)
    right = points[ix.EYE_RIGHT, :2].mean(axis=0)
    return float(np.linalg.norm(left - right))


def mouth_opening(points: np.ndarray) -> float:
    """Mean inner-lip gap divided by the inter-ocular distance, both measured in
    3-D (mediapipe's z is in the same units as x): a ratio of 3-D distances does
    not change when the head nods or turns, so the opening is the mouth's own."""
    p = points[:, :3] if points.shape[1] >= 3 else points[:, :2]
    gap = np.linalg.norm(p[ix.INNER_GAP_PAIRS[:, 1]] - p[ix.INNER_GAP_PAIRS[:, 0]], axis=1).mean()
    iod = np.linalg.norm(p[ix.EYE_LEFT].mean(axis=0) - p[ix.EYE_RIGHT].mean(axis=0))
    return float(gap / max(iod, 1e-6))


def similarity_fit(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Least-squares rotation+scale+translation taking src (N x 2) onto dst; 2 x 3 matrix."""
    mu_s, mu_d = src.mean(axis=0), dst.mean(axis=0)
    s, d = src - mu_s, dst - mu_d
    # Complex-number form of 2-D Procrustes: dst ~ a * src with a = scale * e^{i theta}.
    sc = s[:, 0] + 1j * s[:, 1]
    dc = d[:, 0] + 1j * d[:, 1]
    a = np.vdot(sc, dc) / max(np.vdot(sc, sc).real, 1e-12)
    rot = np.array([[a.real, -a.imag], [a.imag, a.real]])
    return np.hstack([rot, (mu_d - rot @ mu_s)[:, None]])


def apply_affine(matrix: np.ndarray, pts: np.ndarray) -> np.ndarray:
    return pts[:, :2] @ matrix[:, :2].T + matrix[:, 2]


def normalised_shape(points: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Mouth and chin points in the reference face's frame (head pose removed), flattened."""
    m = similarity_fit(points[ix.STABLE, :2], reference[ix.STABLE, :2])
    return apply_affine(m, points[ix.SHAPE]).reshape(-1)


def canonical_reference(points: np.ndarray) -> np.ndarray:
    """A reference face with the eyes level, inter-ocular distance 1, nose tip at the origin."""
    left = points[ix.EYE_LEFT, :2].mean(axis=0)
    right = points[ix.EYE_RIGHT, :2].mean(axis=0)
    d = right - left
    scale = 1.0 / max(np.linalg.norm(d), 1e-6)
    c, s = d * scale
    rot = np.array([[c, s], [-s, c]]) * scale
    out = points[:, :2] - points[4, :2]
    return out @ rot.T



def pose_proxy(points: np.ndarray) -> np.ndarray:
    """(yaw, pitch) per face as scale-free ratios: where the nose tip sits
    between the cheek edges, and between the eyes and the chin. Enough to tell
    which footage frames were filmed with the head turned the same way.
    points: ... x 478 x (2|3) -> ... x 2."""
    p = points[..., :2]
    tip = p[..., 4, :]
    d_left = np.linalg.norm(tip - p[..., 234, :], axis=-1)
    d_right = np.linalg.norm(tip - p[..., 454, :], axis=-1)
    d_up = np.linalg.norm(tip - (p[..., 33, :] + p[..., 263, :]) / 2, axis=-1)
    d_down = np.linalg.norm(tip - p[..., 152, :], axis=-1)
    yaw = (d_left - d_right) / (d_left + d_right + 1e-6)
    pitch = (d_up - d_down) / (d_up + d_down + 1e-6)
    return np.stack([yaw, pitch], axis=-1).astype(np.float32)
