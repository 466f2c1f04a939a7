"""Frame and sequence metrics for rendered mouths against the real ones."""

from __future__ import annotations

import cv2
import numpy as np

from twincast.face import indices as ix
from twincast.face.shape import interocular

MAX_LAG_FRAMES = 5


def landmark_distance(rendered: np.ndarray, real: np.ndarray) -> float:
    """Mean mouth landmark distance divided by the inter-ocular distance."""
    d = np.linalg.norm(rendered[ix.LIPS, :2] - real[ix.LIPS, :2], axis=1).mean()
    return float(d / max(interocular(real), 1e-6))


def lower_face_box(points: np.ndarray, width: int, height: int) -> tuple[int, int, int, int]:
    region = points[np.concatenate([ix.UNDER_NOSE, ix.JAW[3:-3], ix.LIPS_OUTER]), :2]
    x0, y0 = np.floor(region.min(axis=0)).astype(int)
    x1, y1 = np.ceil(region.max(axis=0)).astype(int)
    return max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float32) - b.astype(np.float32)) ** 2))
    return 99.0 if mse < 1e-10 else float(10 * np.log10(255.0**2 / mse))


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """SSIM of the grey images (Wang et al. 2004, Gaussian window sigma 1.5)."""
    x = cv2.cvtColor(a, cv2.COLOR_RGB2GRAY).astype(np.float32)
    y = cv2.cvtColor(b, cv2.COLOR_RGB2GRAY).astype(np.float32)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2

    def blur(img):
        return cv2.GaussianBlur(img, (11, 11), 1.5)

    mx, my = blur(x), blur(y)
    vx = blur(x * x) - mx * mx
    vy = blur(y * y) - my * my
    cxy = blur(x * y) - mx * my
    s = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    return float(s.mean())


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    ok = ~(np.isnan(a) | np.isnan(b))
    if ok.sum() < 3 or np.std(a[ok]) < 1e-9 or np.std(b[ok]) < 1e-9:
        return 0.0
    return float(np.corrcoef(a[ok], b[ok])[0, 1])


def best_lag(reference: np.ndarray, series: np.ndarray) -> int:
    """The shift (frames) of series against reference that correlates best; + = series late."""
    best, best_r = 0, -np.inf
    n = len(reference)
    for lag in range(-MAX_LAG_FRAMES, MAX_LAG_FRAMES + 1):
        a = reference[max(0, -lag) : n - max(0, lag)]
        b = series[max(0, lag) : n - max(0, -lag)]
        r = pearson(a, b)
        if r > best_r:
            best, best_r = lag, r
    return best


def open_rate(opening: np.ndarray, silent: np.ndarray, threshold: float) -> float:
    ok = silent & ~np.isnan(opening)
    return float((opening[ok] > threshold).mean()) if ok.any() else 0.0
