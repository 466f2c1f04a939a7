"""Put a library mouth onto a base frame: align, colour-match, feathered blend.

The mouth keeps its real texture (teeth, tongue, lips) because pixels are
only moved by a similarity transform, never synthesised.
"""

from __future__ import annotations

import cv2
import numpy as np

from twincast.face import indices as ix
from twincast.face.shape import apply_affine, interocular, similarity_fit

# Alignment uses the nose and upper cheeks: they do not move with the jaw and
# sit next to the pasted region, so the seam lines up where it matters.
ALIGN = np.array([4, 1, 5, 195, 98, 327, 2, 97, 326, 50, 280, 205, 425, 33, 263, 133, 362])
# The pasted region: under the nose, inner cheeks, lips and the lower jaw.
MASK_TOP = np.concatenate([ix.UNDER_NOSE, np.array([205, 425, 207, 427, 187, 411])])
MASK_JAW = ix.JAW[3:-3]
JAW_PUSH = 0.18  # push the jaw outline away from the mouth so the seam falls past the chin
FEATHER = 0.12  # feather width as a fraction of the inter-ocular distance


def _mask_points(points: np.ndarray) -> np.ndarray:
    centre = points[ix.LIPS_OUTER].mean(axis=0)
    jaw = points[MASK_JAW]
    jaw = jaw + (jaw - centre) * JAW_PUSH
    return np.vstack([points[MASK_TOP], jaw, points[ix.LIPS_OUTER]])


def composite(
    base: np.ndarray,
    base_points: np.ndarray,
    crop: np.ndarray,
    crop_points: np.ndarray,
) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """Blend the crop's mouth into base (in place); return (warped landmarks, roi)."""
    h, w = base.shape[:2]
    m = similarity_fit(crop_points[ALIGN, :2], base_points[ALIGN, :2])
    warped_points = apply_affine(m, crop_points)
    iod = interocular(base_points)
    feather = max(int(FEATHER * iod), 2)
    hull = np.vstack([_mask_points(base_points[:, :2]), _mask_points(warped_points)])
    x0, y0 = np.floor(hull.min(axis=0)).astype(int) - feather
    x1, y1 = np.ceil(hull.max(axis=0)).astype(int) + feather
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return warped_points, (0, 0, 0, 0)
    size = (x1 - x0, y1 - y0)
    shift = m.copy()
    shift[:, 2] -= (x0, y0)
    warped = cv2.warpAffine(crop, shift, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    inside = cv2.warpAffine(np.full(crop.shape[:2], 255, np.uint8), shift, size, flags=cv2.INTER_NEAREST, borderValue=0)
    mask = np.zeros((size[1], size[0]), np.uint8)
    cv2.fillConvexPoly(mask, cv2.convexHull((hull - (x0, y0)).astype(np.int32)), 255)
    mask = cv2.erode(mask, np.ones((3, 3), np.uint8), iterations=max(feather // 2, 1))
    mask = np.minimum(mask, cv2.erode(inside, np.ones((3, 3), np.uint8), iterations=2))
    k = 2 * feather + 1
    alpha = cv2.GaussianBlur(mask, (k, k), feather / 2).astype(np.float32) / 255.0
    roi = base[y0:y1, x0:x1]
    warped = _match_colour(warped, roi, alpha)
    a = alpha[..., None]
    roi[:] = np.clip(warped * a + roi * (1.0 - a) + 0.5, 0, 255).astype(np.uint8)
    return warped_points, (x0, y0, x1, y1)


def _match_colour(warped: np.ndarray, roi: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Shift the mouth's colour to the base's along the seam, where a jump would show."""
    band = (alpha > 0.05) & (alpha < 0.7)
    out = warped.astype(np.float32)
    if band.sum() < 16:
        return out
    diff = roi[band].astype(np.float32).mean(axis=0) - out[band].mean(axis=0)
    return out + diff
