"""The part of the idle loop a room shows, decoded from a copy of its own.

A clone filmed on a phone is 1080x1920; a landscape room shows a 1080x608 box of it, and decoding
the whole frame every frame took ~9-11 ms of CPU (a quarter of a core at 25 fps, more than the
mouth paste and x264's share of the frame together; docs/BENCHMARKS.md, issue 4). The loop's first
pass is decoded from base.mp4 as before, and the box of each frame is encoded on the way (x264,
held in memory: ~4 MB); every later pass decodes only the box, at 1.5-3 ms a frame. The copy is
close to lossless (Y-PSNR ~50 dB against the box it was made from)."""

from __future__ import annotations

import logging
from fractions import Fraction

import av
import numpy as np

from twincast.clone.base_loop import BaseLoopReader
from twincast.media.yuv import Box, crop_resize

log = logging.getLogger(__name__)

# A box larger than this share of the frame saves too little decoding to be worth a copy.
WORTH_A_COPY = 0.75
# ultrafast without CABAC or deblocking (fastdecode) is the cheapest H.264 to decode; crf 16 keeps it
# ~50 dB from the original box. One encoder thread: it runs beside the room's other work.
COPY_OPTIONS = {"preset": "ultrafast", "tune": "fastdecode", "crf": "16", "threads": "1"}


def worth_a_copy(box: Box, width: int, height: int) -> bool:
    x0, y0, x1, y1 = box
    return (x1 - x0) * (y1 - y0) <= WORTH_A_COPY * width * height


class CroppedLoop:
    """BaseLoopReader's contract for a box of the loop: next() -> (I420 box, landmarks in the box's
    coordinates), cycling for ever."""

    def __init__(self, reader: BaseLoopReader, box: Box) -> None:
        self.reader = reader
        self.box = box
        x0, y0, x1, y1 = box
        self.size = (x1 - x0, y1 - y0)
        self.landmarks = np.array(reader.landmarks, np.float32, copy=True)
        self.landmarks[..., 0] -= x0
        self.landmarks[..., 1] -= y0
        self._encoder: av.CodecContext | None = self._new_encoder()
        self._packets: list[bytes] = []
        self._copied = 0
        self._frames = None  # the copy's frames, one pass
        self._i = 0
        self.failed = False  # the copy did not give back what went in: every frame from base.mp4

    def _new_encoder(self) -> av.CodecContext:
        encoder = av.CodecContext.create("libx264", "w")
        encoder.width, encoder.height, encoder.pix_fmt = *self.size, "yuv420p"
        encoder.time_base, encoder.framerate = Fraction(1, 25), Fraction(25)
        encoder.options = dict(COPY_OPTIONS)
        return encoder

    def next(self) -> tuple[np.ndarray, np.ndarray]:
        if self._encoder is not None or self.failed:
            return self._from_base()
        while True:
            if self._frames is None:
                self._frames, self._i = self._decoded(), 0
            frame = next(self._frames, None)
            if frame is not None and self._i < self._copied:
                self._i += 1
                return frame, self.landmarks[self._i - 1]
            if self._i != self._copied:  # never expected; the room must go on with the original
                log.warning("the idle loop's copy gave %d frames of %d; decoding base.mp4 instead", self._i, self._copied)
                self.failed = True
                return self._from_base()
            self._frames = None

    def _from_base(self) -> tuple[np.ndarray, np.ndarray]:
        frame, _ = self.reader.next()
        part = crop_resize(frame, self.box, self.size)
        index = self.reader.index
        if self._encoder is not None:
            if index == 0 and self._copied:  # base.mp4 ended before its landmarks did: the copy is what it gave
                self._finish_copy()
                return self.next()
            picture = av.VideoFrame.from_ndarray(part, format="yuv420p")
            picture.pts = self._copied
            self._packets += [bytes(p) for p in self._encoder.encode(picture)]
            self._copied += 1
            if self._copied == len(self.landmarks):
                self._finish_copy()
        return part, self.landmarks[index]

    def _finish_copy(self) -> None:
        self._packets += [bytes(p) for p in self._encoder.encode(None)]
        self._encoder = None

    def _decoded(self):  # noqa: ANN202 - a generator of I420 arrays
        decoder = av.CodecContext.create("h264", "r")
        for data in self._packets:
            for frame in decoder.decode(av.Packet(data)):
                yield frame.to_ndarray(format="yuv420p")
        for frame in decoder.decode(None):
            yield frame.to_ndarray(format="yuv420p")
