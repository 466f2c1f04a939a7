"""Decode any audio (wav/mp3/m4a or a video's track) to mono float32 at a chosen rate."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

from twincast.errors import TwincastError


def load_audio(path: Path, sample_rate_hz: int = 16000, start_s: float = 0.0, end_s: float | None = None) -> np.ndarray:
    path = Path(path)
    if not path.exists():
        raise TwincastError(f"{path}: no such file", "check the path")
    try:
        container = av.open(str(path))
    except av.error.FFmpegError as exc:
        raise TwincastError(f"{path.name} is not readable audio ({exc})", "give a wav, mp3 or m4a file") from None
    with container:
        if not container.streams.audio:
            raise TwincastError(f"{path.name} has no audio track", "give a file with sound")
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate_hz)
        chunks: list[np.ndarray] = []
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
        except av.error.FFmpegError:
            pass  # a truncated tail: keep what decoded
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray().reshape(-1))
    audio = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
    first = int(round(start_s * sample_rate_hz))
    last = None if end_s is None else int(round(end_s * sample_rate_hz))
    return audio[first:last]


def frame_rms(audio: np.ndarray, sample_rate_hz: int, fps: float, n_frames: int) -> np.ndarray:
    """RMS loudness in a one-frame window centred on each video frame's time."""
    hop = sample_rate_hz / fps
    half = int(hop)
    centres = (np.arange(n_frames) * hop + hop / 2).astype(np.int64)
    padded = np.pad(audio.astype(np.float32), (half, half + int(hop) + 1))
    energy = np.concatenate([[0.0], np.cumsum(padded.astype(np.float64) ** 2)])
    lo = np.clip(centres, 0, len(padded))
    hi = np.clip(centres + 2 * half, 0, len(padded))
    return np.sqrt((energy[hi] - energy[lo]) / np.maximum(hi - lo, 1)).astype(np.float32)
