"""Put a library mouth onto a base frame: align, match the lighting, feathered blend.

The mouth keeps its real texture (teeth, tongue, lips) because pixels are
only moved by a similarity transform, never synthesised. Lighting is matched
by a smooth per-pixel gain (normalised convolution of base and mouth skin on
a ring around the lips), so a brighter or differently tinted base frame does
not leave a grey patch. Masks and gains are computed on a coarse grid and
upsampled: they are smooth by construction, and it keeps the cost to a few
milliseconds whatever the resolution.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

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
# How far each jaw point is moved away from the mouth centre (fraction of its
# distance): inward at the sides, so the seam stays on the cheek instead of
# crossing hair and background, and outward under the chin, so a dropped jaw
# is fully covered.
JAW_PUSH_SIDE = -0.25
JAW_PUSH_CHIN = 0.12
FEATHER = 0.14  # feather width as a fraction of the inter-ocular distance
LIGHT_SIGMA = 0.5  # smoothness of the lighting gain, fraction of the inter-ocular distance
MOUTH_GUARD = 0.25  # lips hull grown by this (x inter-ocular) is left out of the lighting estimate
GRID_PX = 4.0  # coarse grid cell, in units of feather / GRID_PX
# The lighting gain is estimated on a grid this much coarser again: its blur (LIGHT_SIGMA) spans ~14
# cells of the mask grid, so 7 still sample it finely. Pixels move by at most 4 levels (0.2 % of
# the box by more than 2) and a paste takes ~1.4 ms less CPU (docs/BENCHMARKS.md, issue 4).
LIGHT_COARSER = 2
MAX_GAIN = 2.0

# The pasted region never leaves either face (the base's or the mouth frame's):
# each jaw outline, pulled in at the sides and let out under the chin as far as a jaw drops.
LIMIT_PUSH_SIDE = -0.08
LIMIT_PUSH_CHIN = 0.35


def _push_profile(side: float, chin: float) -> np.ndarray:
    t = np.abs(np.linspace(-1.0, 1.0, len(MASK_JAW)))
    return (chin + (side - chin) * t**2).astype(np.float32)[:, None]


_JAW_PUSH = _push_profile(JAW_PUSH_SIDE, JAW_PUSH_CHIN)
_LIMIT_PUSH = _push_profile(LIMIT_PUSH_SIDE, LIMIT_PUSH_CHIN)


def _mask_points(points: np.ndarray, push: np.ndarray = _JAW_PUSH) -> np.ndarray:
    centre = points[ix.LIPS_OUTER].mean(axis=0)
    jaw = points[MASK_JAW]
    jaw = jaw + (jaw - centre) * push
    return np.vstack([points[MASK_TOP], jaw, points[ix.LIPS_OUTER]])


def _fill(shape: tuple[int, int], pts: np.ndarray) -> np.ndarray:
    out = np.zeros(shape, np.uint8)
    cv2.fillConvexPoly(out, cv2.convexHull(np.round(pts).astype(np.int32)), 255)
    return out


def _feather(iod: float) -> float:
    return max(FEATHER * iod, 2.0)


@dataclass(frozen=True)
class Placement:
    """Where a library mouth lands on a base frame: its transform, the pasted region and its box."""

    m: np.ndarray  # 2x3 similarity, crop -> base
    warped_points: np.ndarray
    iod: float
    hull: np.ndarray
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 that composite changes

    def moved(self, dx: int, dy: int) -> "Placement":
        """The same placement on a window of the base frame whose corner is at (dx, dy)."""
        m = self.m.copy()
        m[:, 2] -= (dx, dy)
        d = np.array([dx, dy], np.float32)
        x0, y0, x1, y1 = self.box
        return replace(self, m=m, warped_points=self.warped_points - d, hull=self.hull - d, box=(x0 - dx, y0 - dy, x1 - dx, y1 - dy))

    @property
    def feather(self) -> float:
        return _feather(self.iod)


def place(base_points: np.ndarray, crop_points: np.ndarray, width: int, height: int) -> Placement:
    m = similarity_fit(crop_points[ALIGN, :2], base_points[ALIGN, :2])
    warped_points = apply_affine(m, crop_points)
    iod = interocular(base_points)
    hull = np.vstack([_mask_points(base_points[:, :2]), _mask_points(warped_points)])
    pad = int(np.ceil(_feather(iod)))
    x0, y0 = np.floor(hull.min(axis=0)).astype(int) - pad
    x1, y1 = np.ceil(hull.max(axis=0)).astype(int) + pad
    return Placement(m, warped_points, iod, hull, (max(int(x0), 0), max(int(y0), 0), min(int(x1), width), min(int(y1), height)))


def composite(
    base: np.ndarray,
    base_points: np.ndarray,
    crop: np.ndarray,
    crop_points: np.ndarray,
    placement: Placement | None = None,
) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """Blend the crop's mouth into base (in place); return (warped landmarks, roi). A placement made
    beforehand saves making it again; where base is a window of the frame `place` saw, both it
    (`Placement.moved`) and base_points are in the window's coordinates."""
    h, w = base.shape[:2]
    p = placement or place(base_points, crop_points, w, h)
    m, warped_points, iod, feather, hull, (x0, y0, x1, y1) = p.m, p.warped_points, p.iod, p.feather, p.hull, p.box
    if x1 - x0 < 4 or y1 - y0 < 4:
        return warped_points, (0, 0, 0, 0)
    size = (x1 - x0, y1 - y0)
    shift = m.copy()
    shift[:, 2] -= (x0, y0)
    warped = cv2.warpAffine(crop, shift, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    roi = base[y0:y1, x0:x1]

    # Coarse grid: masks and the lighting gain are smooth, so compute them small.
    cell = max(feather / GRID_PX, 1.0)
    gw, gh = max(int(round(size[0] / cell)), 4), max(int(round(size[1] / cell)), 4)
    sx, sy = gw / size[0], gh / size[1]
    to_grid = np.array([sx, sy], np.float32)
    origin = np.array([x0, y0], np.float32)
    hull_g = (hull - origin) * to_grid
    mask = _fill((gh, gw), hull_g)
    # Inside both faces: after a head turn the mouth frame's face edge (hair,
    # background) can fall inside the base's cheek and must not be pasted.
    for face in (base_points[:, :2], warped_points):
        mask = np.minimum(mask, _fill((gh, gw), (_mask_points(face, _LIMIT_PUSH) - origin) * to_grid))
    # Only where the crop has pixels (its box corners, warped).
    ch, cw = crop.shape[:2]
    corners = apply_affine(shift, np.array([[0, 0], [cw - 1, 0], [cw - 1, ch - 1], [0, ch - 1]], np.float32))
    inside = _fill((gh, gw), corners * to_grid)
    ring = int(round(GRID_PX / 2))
    kernel = np.ones((3, 3), np.uint8)
    core = cv2.erode(np.minimum(mask, cv2.erode(inside, kernel, iterations=2)), kernel, iterations=ring)
    sigma_g = GRID_PX / 2.0
    alpha_g = cv2.GaussianBlur(core.astype(np.float32) / 255.0, (0, 0), sigma_g)

    # Lighting: per-pixel gain base/mouth from skin around the lips (not the lips themselves).
    lw, lh = max(gw // LIGHT_COARSER, 4), max(gh // LIGHT_COARSER, 4)
    small_roi = cv2.resize(roi, (lw, lh), interpolation=cv2.INTER_AREA).astype(np.float32)
    small_warp = cv2.resize(warped, (lw, lh), interpolation=cv2.INTER_AREA).astype(np.float32)
    lips = np.vstack([base_points[ix.LIPS_OUTER, :2], warped_points[ix.LIPS_OUTER]])
    centre = lips.mean(axis=0)
    lips = lips + (lips - centre) / np.maximum(np.linalg.norm(lips - centre, axis=1, keepdims=True), 1e-6) * (MOUTH_GUARD * iod)
    guard = _fill((gh, gw), (lips - origin) * to_grid)
    grown = cv2.dilate(mask, kernel, iterations=ring)
    weight = ((grown > 0) & (guard == 0) & (inside > 0)).astype(np.float32)
    weight = cv2.resize(weight, (lw, lh), interpolation=cv2.INTER_AREA)
    gain = _lighting_gain(small_roi, small_warp, weight, LIGHT_SIGMA * iod * sx * lw / gw)
    gain = cv2.resize(gain, (gw, gh), interpolation=cv2.INTER_LINEAR)

    # roi * (1 - alpha) + warped * alpha * gain, with both weights formed on the grid (smooth, so
    # scaling their product equals the product scaled, within a level) and applied by OpenCV's
    # saturating arithmetic instead of NumPy floats: the whole paste takes ~13 % less CPU.
    keep = cv2.resize(np.repeat(1.0 - alpha_g[..., None], 3, axis=2), size, interpolation=cv2.INTER_LINEAR)
    take = cv2.resize(alpha_g[..., None] * gain, size, interpolation=cv2.INTER_LINEAR)
    mixed = cv2.add(cv2.multiply(roi, keep, dtype=cv2.CV_32F), cv2.multiply(warped, take, dtype=cv2.CV_32F))
    roi[:] = cv2.convertScaleAbs(mixed)  # rounded, saturated to 0..255
    return warped_points, (x0, y0, x1, y1)


def _lighting_gain(roi: np.ndarray, warped: np.ndarray, weight: np.ndarray, sigma: float) -> np.ndarray:
    """Smooth per-channel gain taking the mouth's skin to the base's: a ratio of
    normalised convolutions, so it follows lighting gradients across the face.
    Pixels that disagree far more than the rest (hair, background, a hand)
    are dropped before smoothing."""
    total = float(weight.sum())
    if total < 8:
        return np.ones(roi.shape, np.float32)
    lum_r, lum_w = roi.mean(axis=2), warped.mean(axis=2)
    ratio = np.log((lum_r + 8.0) / (lum_w + 8.0))
    sel = weight > 0
    med = float(np.median(ratio[sel]))
    mad = float(np.median(np.abs(ratio[sel] - med))) + 0.02
    weight = weight * (np.abs(ratio - med) < 3.0 * mad)
    total = float(weight.sum())
    if total < 8:
        return np.ones(roi.shape, np.float32)
    w3 = weight[..., None]
    num = cv2.GaussianBlur(roi * w3, (0, 0), sigma)
    den = cv2.GaussianBlur(warped * w3, (0, 0), sigma)
    # Where the ring gives no support (far from it) fall back to the global ratio.
    glob_r = (roi * w3).sum(axis=(0, 1)) / total
    glob_w = (warped * w3).sum(axis=(0, 1)) / total
    support = cv2.GaussianBlur(weight, (0, 0), sigma)[..., None]
    eps = 0.05 * float(support.max()) + 1e-6
    gain = (num + eps * glob_r) / (den + eps * glob_w + 1e-3)
    return np.clip(gain, 1.0 / MAX_GAIN, MAX_GAIN).astype(np.float32)
