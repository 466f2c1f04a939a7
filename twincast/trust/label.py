"""The visible AI label burnt into every frame twincast writes.

GB 45438-2025 §5.4: text with "AI" and "生成", at least 5 % of the frame's
shorter side tall, from the first frame on. There is deliberately no switch to
turn it off: the only way to draw a frame for output is through `stamp` (or
`stamp_i420`, the same label on a frame kept in yuv420p).
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from twincast.errors import TwincastError
from twincast.media.stamp import Stamp

MIN_HEIGHT_FRACTION = 0.05
TARGET_HEIGHT_FRACTION = 0.056  # a margin over the legal minimum for rounding and scaling by players
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)


def label_text(language: str) -> str:
    return "AI生成" if language.startswith("zh") else "AI生成 · AI-generated"


@functools.lru_cache(maxsize=1)
def _font_path() -> str:
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    raise TwincastError(
        "no font with Chinese characters is installed, so the AI label cannot be drawn",
        "install one: sudo apt-get install fonts-wqy-microhei (make demo / make test do this)",
    )


class Label:
    """A pre-rendered label for one frame size, blended onto frames in place."""

    def __init__(self, width: int, height: int, language: str = "en") -> None:
        self.text = label_text(language)
        short = min(width, height)
        want_px = int(np.ceil(TARGET_HEIGHT_FRACTION * short))
        font, ink_box = _fit_font(self.text, want_px)
        pad = max(want_px // 4, 2)
        tw, th = ink_box[2] - ink_box[0], ink_box[3] - ink_box[1]
        box_w, box_h = min(tw + 2 * pad, width), min(th + 2 * pad, height)
        image = Image.new("RGBA", (box_w, box_h), (0, 0, 0, 150))
        ImageDraw.Draw(image).text((pad - ink_box[0], pad - ink_box[1]), self.text, font=font, fill=(255, 255, 255, 255))
        self.text_height_px = th
        margin = max(short // 40, 2)
        self._stamp = Stamp(np.asarray(image), margin, margin)
        self.alpha, self.premultiplied = self._stamp.alpha, self._stamp.premultiplied
        self.x0, self.y0, self.x1, self.y1 = self._stamp.x0, self._stamp.y0, self._stamp.x1, self._stamp.y1

    def stamp(self, frame: np.ndarray) -> np.ndarray:
        """An rgb24 frame, labelled in place."""
        return self._stamp.on_rgb(frame)

    def stamp_i420(self, frame: np.ndarray) -> np.ndarray:
        """An I420 frame (media/yuv.py), labelled in place."""
        return self._stamp.on_i420(frame)


def _fit_font(text: str, want_px: int):
    """The smallest font whose ink for the label's text is at least want_px tall."""
    size = want_px
    path = _font_path()
    while True:
        font = ImageFont.truetype(path, size)
        box = font.getbbox(text)
        if box[3] - box[1] >= want_px or size > 4 * want_px:
            return font, box
        size += 1
