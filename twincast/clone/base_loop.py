"""The idle loop: a stretch of the footage played forward then backward, so it
repeats without a jump; chosen where the person is silent and the face is
tracked throughout, so idle time looks like listening."""

from __future__ import annotations

import tempfile
from pathlib import Path

import av
import numpy as np

from twincast.media.footage import FootageInfo, iter_frames
from twincast.media.mp4_writer import Mp4Writer

LOOP_SECONDS = 4.0  # forward part; the loop is twice this
SEEK_CHUNK = 24  # frames read at a time when writing the backward half


def choose_loop(valid: np.ndarray, speaking: np.ndarray, closed: np.ndarray, fps: float) -> tuple[int, int]:
    """[start, end) frame window: fully tracked first, then silent and with the
    mouth closed as much as possible (the pasted mouth hides the base's lips,
    but a jaw dropped for speech still shows around it)."""
    n = len(valid)
    length = max(2, min(int(round(LOOP_SECONDS * fps)), n))
    window = np.ones(length)
    tracked = np.convolve(valid.astype(float), window, "valid")
    quiet = np.convolve((~speaking).astype(float) + closed.astype(float), window, "valid")
    score = tracked * (2 * length + 1) + quiet
    start = int(np.argmax(score))
    return start, start + length


def fill_landmarks(landmarks: np.ndarray) -> np.ndarray:
    """Interpolate untracked frames inside the loop from their tracked neighbours."""
    out = landmarks.copy()
    ok = ~np.isnan(out[:, 0, 0])
    if ok.all():
        return out
    idx = np.arange(len(out))
    flat = out.reshape(len(out), -1)
    for c in range(flat.shape[1]):
        flat[~ok, c] = np.interp(idx[~ok], idx[ok], flat[ok, c])
    return flat.reshape(out.shape)


def write_loop(info: FootageInfo, first_frame: int, start: int, end: int, landmarks: np.ndarray, out_path: Path) -> np.ndarray:
    """Write base.mp4 (forward then backward) and return landmarks for each of its frames."""
    fps = float(info.fps)
    s0, s1 = (first_frame + start) / fps, (first_frame + end) / fps
    with tempfile.TemporaryDirectory(prefix="twincast-loop-") as tmp:
        # A short-GOP copy of the stretch makes reading it backward in chunks cheap.
        forward = Path(tmp) / "forward.mp4"
        with Mp4Writer(forward, info.width, info.height, fps, crf=16, preset="ultrafast", audio=False, gop=SEEK_CHUNK) as w:
            for frame in iter_frames(info, s0, s1):
                w.write_frame(frame.rgb)
        count = _count_frames(forward)
        with Mp4Writer(out_path, info.width, info.height, fps, crf=18, preset="veryfast", audio=False) as w:
            for frame in _read(forward):
                w.write_frame(frame)
            for chunk_start in range(((count - 1) // SEEK_CHUNK) * SEEK_CHUNK, -1, -SEEK_CHUNK):
                chunk = list(_read(forward, chunk_start, min(chunk_start + SEEK_CHUNK, count)))
                for frame in reversed(chunk):
                    w.write_frame(frame)
    pts = fill_landmarks(landmarks[start : start + count, :, :2])
    return np.concatenate([pts, pts[::-1]]).astype(np.float32)


def _count_frames(path: Path) -> int:
    with av.open(str(path)) as c:
        return sum(1 for _ in c.demux(video=0) if _.size)


def _read(path: Path, first: int = 0, last: int | None = None, pixel_format: str = "rgb24"):
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        if first:
            c.seek(int(first / (stream.average_rate * stream.time_base)), stream=stream, backward=True)
        for frame in c.decode(stream):
            i = int(round(frame.pts * stream.time_base * stream.average_rate))
            if i < first:
                continue
            if last is not None and i >= last:
                return
            yield frame.to_ndarray(format=pixel_format)


class BaseLoopReader:
    """Frames of base.mp4 with their landmarks, cycling for ever: rgb24 arrays, or I420 ones
    (media/yuv.py) with pixel_format="yuv420p", base.mp4's own format."""

    def __init__(self, path: Path, landmarks: np.ndarray, pixel_format: str = "rgb24") -> None:
        self.path = Path(path)
        self.landmarks = landmarks
        self.pixel_format = pixel_format
        self._frames = None
        self._i = 0
        self.index = -1  # of the frame last returned, in the loop (landmarks' index)

    def next(self) -> tuple[np.ndarray, np.ndarray]:
        while True:
            if self._frames is None:
                self._frames = _read(self.path, pixel_format=self.pixel_format)
                self._i = 0
            frame = next(self._frames, None)
            if frame is not None and self._i < len(self.landmarks):
                pts = self.landmarks[self._i]
                self.index = self._i
                self._i += 1
                return frame, pts
            self._frames = None
