"""Write labelled H.264/AAC MP4 files with integer pts and the AIGC metadata key."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from twincast.media.yuv import yuv420p_frame
from twincast.trust.aigc import aigc_json

AUDIO_RATE_HZ = 48000
AUDIO_BITRATE = 128_000


class Mp4Writer:
    """Frames and mono float audio in, one MP4 out. Video pts count frames, audio pts count samples."""

    def __init__(self, path: Path, width: int, height: int, fps: float, crf: int = 20, preset: str = "veryfast", audio: bool = True, gop: int | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._container = av.open(str(self.path), "w", options={"movflags": "+faststart+use_metadata_tags"})
        self._container.metadata["AIGC"] = aigc_json()
        rate = Fraction(fps).limit_denominator(1001)
        options = {"crf": str(crf), "preset": preset}
        if gop:
            options.update({"g": str(gop), "keyint_min": str(gop), "sc_threshold": "0"})
        self._video = self._container.add_stream("libx264", rate=rate, options=options)
        # yuv420p needs even sizes: the last odd row/column is dropped.
        self.width, self.height = width - width % 2, height - height % 2
        self._video.width, self._video.height = self.width, self.height
        self._video.pix_fmt = "yuv420p"
        self._video.time_base = Fraction(1, 1) / rate
        self._audio = None
        if audio:
            self._audio = self._container.add_stream("aac", rate=AUDIO_RATE_HZ, layout="stereo")
            self._audio.bit_rate = AUDIO_BITRATE
        self._frames = 0
        self._samples = 0

    def write_frame(self, rgb: np.ndarray) -> None:
        frame = yuv420p_frame(rgb[: self.height, : self.width])
        frame.pts = self._frames
        self._frames += 1
        for packet in self._video.encode(frame):
            self._container.mux(packet)

    def write_audio(self, mono: np.ndarray, block: int = 1024) -> None:
        """Float samples in [-1, 1] at AUDIO_RATE_HZ."""
        assert self._audio is not None
        pcm = (np.clip(mono, -1, 1) * 32767).astype(np.int16)
        for start in range(0, len(pcm), block):
            chunk = pcm[start : start + block]
            stereo = np.repeat(chunk[None, :], 2, axis=0).reshape(1, -1, order="F")
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(stereo), format="s16", layout="stereo")
            frame.sample_rate = AUDIO_RATE_HZ
            frame.pts = self._samples
            self._samples += len(chunk)
            for packet in self._audio.encode(frame):
                self._container.mux(packet)

    def close(self) -> None:
        for packet in self._video.encode():
            self._container.mux(packet)
        if self._audio is not None:
            for packet in self._audio.encode():
                self._container.mux(packet)
        self._container.close()

    def __enter__(self) -> "Mp4Writer":
        return self

    def __exit__(self, exc_type, *exc) -> None:
        self.close()
        if exc_type is not None:
            self.path.unlink(missing_ok=True)
