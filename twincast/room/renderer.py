"""Frames of a room: the idle loop, the chosen mouth pasted in, fitted to the
platform's frame size and labelled.

A clone filmed landscape streamed to a portrait platform (or the reverse) is
cropped around the face to the platform's aspect, not letterboxed: black bars
waste a phone screen. The crop is fixed for the whole room (from the loop's
landmarks) so it never jitters."""

from __future__ import annotations

import cv2
import numpy as np

from twincast.clone.base_loop import BaseLoopReader
from twincast.clone.clone import Clone
from twincast.lipsync.compositor import composite
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
    def __init__(self, clone: Clone, out_w: int, out_h: int, language: str) -> None:
        self.clone = clone
        self.base = BaseLoopReader(clone.base_path, clone.base_landmarks)
        self.size = (out_w, out_h)
        self.box = face_crop(clone.width, clone.height, clone.base_landmarks, out_w, out_h)
        self.label = Label(out_w, out_h, language)
        self.overlay = Overlay(out_w, out_h)

    def frame(self, mouth: int | None) -> np.ndarray:
        frame, points = self.base.next()
        if mouth is not None:
            lib = self.clone.library
            composite(frame, points, lib.crop(mouth), lib.landmarks[mouth])
        x0, y0, x1, y1 = self.box
        frame = frame[y0:y1, x0:x1]
        if frame.shape[1] != self.size[0] or frame.shape[0] != self.size[1]:
            shrink = frame.shape[1] > self.size[0]
            frame = cv2.resize(frame, self.size, interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)
        return self.label.stamp(self.overlay.stamp(np.ascontiguousarray(frame)))
