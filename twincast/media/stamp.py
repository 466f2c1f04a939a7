"""An RGBA picture (the AI label, a banner) blended onto frames at a fixed place.

Drawn once, blended on every frame: rgb24 frames per pixel, I420 frames per plane. Blending is linear
and BT.601 is affine, so blending the picture's Y, U and V onto the frame's gives what blending in RGB
and converting would; chroma takes the picture's alpha-weighted mean over each 2x2 block, which is
exact where the frame's chroma is one value per block, as it is in I420."""

from __future__ import annotations

import numpy as np

from twincast.media.yuv import planes, rgb_to_yuv


class Stamp:
    def __init__(self, rgba: np.ndarray, x0: int, y0: int) -> None:
        rgba = np.asarray(rgba, np.uint16)
        self.alpha = rgba[..., 3:4]
        self.premultiplied = rgba[..., :3] * self.alpha
        self.x0, self.y0 = x0, y0
        self.x1, self.y1 = x0 + rgba.shape[1], y0 + rgba.shape[0]
        self._i420 = self._planes(rgba)

    def on_rgb(self, frame: np.ndarray) -> np.ndarray:
        _blend(frame[self.y0 : self.y1, self.x0 : self.x1], self.alpha, self.premultiplied)
        return frame

    def on_i420(self, frame: np.ndarray) -> np.ndarray:
        (ex0, ey0), parts = self._i420
        for plane, (alpha, premultiplied), k in zip(planes(frame), parts, (1, 2, 2)):
            _blend(plane[ey0 // k : ey0 // k + alpha.shape[0], ex0 // k : ex0 // k + alpha.shape[1]], alpha, premultiplied)
        return frame

    def _planes(self, rgba: np.ndarray):  # noqa: ANN202 - ((x0, y0), [(alpha, premultiplied)] for Y, U, V)
        # Grown to even corners with transparent pixels, so each 2x2 chroma block is whole.
        left, top = self.x0 % 2, self.y0 % 2
        h, w = rgba.shape[:2]
        padded = np.zeros((h + top + (h + top) % 2, w + left + (w + left) % 2, 4), np.float32)
        padded[top : top + h, left : left + w] = rgba
        alpha = padded[..., 3]
        yuv = rgb_to_yuv(padded[..., :3]) * alpha[..., None]
        ph, pw = alpha.shape
        block_alpha = alpha.reshape(ph // 2, 2, pw // 2, 2).mean(axis=(1, 3))
        block_yuv = yuv.reshape(ph // 2, 2, pw // 2, 2, 3).mean(axis=(1, 3))
        parts = [(alpha, yuv[..., 0])] + [(block_alpha, block_yuv[..., c]) for c in (1, 2)]
        rounded = [(np.round(a).astype(np.uint32), np.round(p).astype(np.uint32)) for a, p in parts]
        return (self.x0 - left, self.y0 - top), rounded


def _blend(roi: np.ndarray, alpha: np.ndarray, premultiplied: np.ndarray) -> None:
    """In place, rounded; the picture cut to the part of it inside the frame."""
    h, w = roi.shape[:2]
    roi[:] = ((premultiplied[:h, :w] + roi * (255 - alpha[:h, :w]) + 127) // 255).astype(np.uint8)
