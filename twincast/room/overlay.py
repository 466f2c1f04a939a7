"""Text banners over the picture (the coupon countdown), blended like the AI label.

A banner is drawn once per distinct text (a countdown changes once a second)
and blended onto every frame, so it costs a copy per frame, not a text
render. It sits near the bottom, clear of the label in the top-left corner."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from twincast.media.stamp import Stamp
from twincast.trust.label import _font_path

HEIGHT_FRACTION = 0.045


class Overlay:
    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.size_px = max(12, int(HEIGHT_FRACTION * min(width, height)))
        self.text: str | None = None  # set by the room loop, read by the media thread

    @lru_cache(maxsize=8)
    def _banner(self, text: str) -> Stamp:
        font = ImageFont.truetype(_font_path(), self.size_px)
        box = font.getbbox(text)
        pad = self.size_px // 2
        w = min(self.width, box[2] - box[0] + 2 * pad)
        h = box[3] - box[1] + 2 * pad
        image = Image.new("RGBA", (w, h), (200, 30, 40, 200))
        ImageDraw.Draw(image).text((pad - box[0], pad - box[1]), text, font=font, fill=(255, 255, 255, 255))
        y0 = int(self.height * 0.82) - h // 2
        return Stamp(np.asarray(image), (self.width - w) // 2, max(0, y0))

    def stamp(self, frame: np.ndarray) -> np.ndarray:
        text = self.text
        return self._banner(text).on_rgb(frame) if text else frame

    def stamp_i420(self, frame: np.ndarray) -> np.ndarray:
        text = self.text
        return self._banner(text).on_i420(frame) if text else frame
