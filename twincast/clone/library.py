"""The mouth library: every usable training frame's lower face, its landmarks and its shape."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from twincast.clone.tracking import MouthCrop, TrackResult, decode_crop


@dataclass
class MouthLibrary:
    frame_ids: np.ndarray  # M, index of the frame in the training footage (consecutive ids = real motion)
    shapes: np.ndarray  # M x K mouth shape coefficients
    landmarks: np.ndarray  # M x 478 x 2, in crop coordinates
    boxes: np.ndarray  # M x 4 crop boxes in the footage frame
    jpegs: list[bytes]
    cache_size: int = 256
    _decoded: OrderedDict = field(default_factory=OrderedDict, repr=False)

    def __len__(self) -> int:
        return len(self.frame_ids)

    def crop(self, i: int) -> np.ndarray:
        """The decoded crop; recently used ones stay decoded (runs of the same frame are common)."""
        if i in self._decoded:
            self._decoded.move_to_end(i)
            return self._decoded[i]
        img = decode_crop(self.jpegs[i])
        self._decoded[i] = img
        if len(self._decoded) > self.cache_size:
            self._decoded.popitem(last=False)
        return img


def build_library(track: TrackResult, shapes: np.ndarray) -> MouthLibrary:
    keep = [i for i, c in enumerate(track.crops) if c is not None]
    crops: list[MouthCrop] = [track.crops[i] for i in keep]
    boxes = np.array([c.box for c in crops], np.int32).reshape(-1, 4)
    lm = track.landmarks[keep, :, :2] - boxes[:, None, :2]
    return MouthLibrary(
        frame_ids=np.array(keep, np.int32),
        shapes=shapes[keep].astype(np.float32),
        landmarks=lm.astype(np.float32),
        boxes=boxes,
        jpegs=[c.jpeg for c in crops],
    )
