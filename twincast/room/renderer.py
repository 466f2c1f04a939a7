"""Frames of a room: the idle loop, the chosen mouth pasted in, fitted to the
platform's frame size and labelled.

A clone filmed landscape streamed to a portrait platform (or the reverse) is
cropped around the face to the platform's aspect, not letterboxed: black bars
waste a phone screen. The crop is fixed for the whole room (from the loop's
landmarks) so it never jitters."""

from __future__ import annotations

import numpy as np

from twincast.clone.base_loop import BaseLoopReader
from twincast.clone.clone import Clone
from twincast.lipsync.compositor import composite, place
from twincast.media.yuv import box_to_rgb, crop_resize, even_box, rgb_into_box
from twincast.room.loop_crop import CroppedLoop, worth_a_copy
from twincast.room.overlay import Overlay
from twincast.trust.label import Label


def face_crop(width: int, height: int, landmarks: np.ndarray, out_w: int, out_h: int) -> tuple[int, int, int, int]:
    """The largest box of the output's aspect inside the frame, centred on the face where it fits."""
    aspect = out_w / out_h
    crop_w, crop_h = (width, round(width / aspect)) if width / height < aspect else (round(height * aspect), height)
    crop_w, crop_h = min(crop_w, width), min(crop_h, height)
    centre = np.nanmean(landmarks.reshape(-1, landmarks.shape[-1])[:, :2], axis=0)
    x0 = int(np.clip(centre[0] - crop_w / 2, 0, width - crop_w))
    y0 = int(np.clip(centre[1] - crop_h / 2, 0, height - crop_h))
    return x0, y0, x0 + crop_w, y0 + crop_h


class RoomRenderer:
    """Frames as I420 arrays (media/yuv.py), the encoder's format: the idle loop is decoded to it and
    only the pasted mouth's box is converted to RGB and back."""

    def __init__(self, clone: Clone, out_w: int, out_h: int, language: str) -> None:
        self.clone = clone
        self.size = (out_w, out_h)
        # base.mp4 drops an odd last row or column (Mp4Writer)
        full = (clone.width - clone.width % 2, clone.height - clone.height % 2)
        self.box = even_box(face_crop(*full, clone.base_landmarks, out_w, out_h), *full)  # in the clone's frame
        reader = BaseLoopReader(clone.base_path, clone.base_landmarks, pixel_format="yuv420p")
        if worth_a_copy(self.box, *full):  # decode only the box after the loop's first pass
            self.base: BaseLoopReader | CroppedLoop = CroppedLoop(reader, self.box)
            self.base_size, self._fit = self.base.size, (0, 0, *self.base.size)
        else:
            self.base, self.base_size, self._fit = reader, full, self.box
        self.label = Label(out_w, out_h, language)
        self.overlay = Overlay(out_w, out_h)

    def frame(self, mouth: int | None) -> np.ndarray:
        frame, points = self.base.next()
        if mouth is not None:
            lib = self.clone.library
            crop, crop_points = lib.crop(mouth), lib.landmarks[mouth]
            placed = place(points, crop_points, *self.base_size)
            box = even_box(placed.box, *self.base_size)
            if box[2] - box[0] >= 4 and box[3] - box[1] >= 4:
                rgb = box_to_rgb(frame, box)
                composite(rgb, points - np.array(box[:2], np.float32), crop, crop_points, placed.moved(box[0], box[1]))
                rgb_into_box(frame, box, rgb)
        frame = crop_resize(frame, self._fit, self.size)
        return self.label.stamp_i420(self.overlay.stamp_i420(frame))
