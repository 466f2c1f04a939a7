"""Open footage, check it is usable, and stream its frames at a constant rate.

Frames are produced one at a time so a 2 GB file never sits in memory; each
carries an integer index at the nominal frame rate (variable-frame-rate input
is resampled to it by dropping or repeating frames).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Iterator

import av
import numpy as np

from twincast.errors import TwincastError

MIN_FOOTAGE_SECONDS = 10.0
MAX_FPS = 60


@dataclass(frozen=True)
class FootageInfo:
    path: Path
    duration_s: float
    fps: Fraction
    width: int  # after applying the rotation
    height: int
    rotation_deg: int
    video_codec: str
    has_audio: bool
    audio_rate_hz: int
    size_bytes: int

    @property
    def frame_count(self) -> int:
        return int(math.floor(self.duration_s * float(self.fps) + 1e-6))


@dataclass
class Frame:
    index: int  # pts in units of 1/fps
    rgb: np.ndarray  # H x W x 3 uint8, rotation applied


def _open(path: Path) -> av.container.InputContainer:
    if not path.exists():
        raise TwincastError(f"{path}: no such file", "check the path")
    if path.is_dir():
        raise TwincastError(f"{path} is a folder, not a video file", "give the path of an MP4/MOV file")
    try:
        return av.open(str(path))
    except (av.error.InvalidDataError, av.error.EOFError) as exc:
        raise TwincastError(
            f"{path.name} is not a readable video (corrupt, truncated or not a media file: {exc.strerror or exc})",
            "re-export or re-download the footage as MP4 (H.264/HEVC + AAC)",
        ) from None
    except av.error.FFmpegError as exc:
        raise TwincastError(f"{path.name} cannot be opened ({exc.strerror or exc}): corrupt, truncated or an unsupported format", "re-export the footage as MP4 (H.264/HEVC + AAC)") from None


def probe_footage(path: Path) -> FootageInfo:
    path = Path(path)
    with _open(path) as container:
        if not container.streams.video:
            raise TwincastError(f"{path.name} has no video track", "record the person on camera; audio alone cannot make a clone")
        stream = container.streams.video[0]
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        if not rate or rate <= 0 or rate > MAX_FPS:
            raise TwincastError(f"{path.name} reports an unusable frame rate ({rate})", "re-export the footage at 25 or 30 fps")
        fps = Fraction(rate).limit_denominator(1001)
        duration = _duration_s(container, stream)
        rotation = _rotation(container)
        w, h = stream.codec_context.width, stream.codec_context.height
        if rotation % 180:
            w, h = h, w
        audio = container.streams.audio[0] if container.streams.audio else None
        return FootageInfo(
            path=path,
            duration_s=duration,
            fps=fps,
            width=w,
            height=h,
            rotation_deg=rotation,
            video_codec=stream.codec_context.name,
            has_audio=audio is not None,
            audio_rate_hz=audio.codec_context.sample_rate if audio else 0,
            size_bytes=path.stat().st_size,
        )


def _duration_s(container, stream) -> float:
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / av.time_base
    raise TwincastError(
        f"{Path(container.name).name} has no duration: a still image or a damaged file",
        "give a video of the person talking (MP4, at least 10 s)",
    )


def _rotation(container) -> int:
    """Rotation the player applies, read from the first decoded frame's display matrix."""
    try:
        for frame in container.decode(video=0):
            return int(round(getattr(frame, "rotation", 0) or 0)) % 360
    except av.error.FFmpegError:
        return 0
    return 0


def require_clone_footage(info: FootageInfo) -> None:
    """Refuse footage that cannot make a clone, naming the problem and the fix."""
    if not info.has_audio:
        raise TwincastError(
            f"{info.path.name} has no audio track",
            "record with sound: the clone learns how the mouth moves from the person's voice",
        )
    if info.duration_s < MIN_FOOTAGE_SECONDS:
        raise TwincastError(
            f"{info.path.name} is only {info.duration_s:.1f} s long",
            f"record at least {MIN_FOOTAGE_SECONDS:.0f} s (about one minute of talking works best)",
        )


def _rotate(rgb: np.ndarray, rotation_deg: int) -> np.ndarray:
    # A display matrix rotation of +90 means the player turns the picture
    # counter-clockwise; np.rot90 with k=1 does the same.
    k = (rotation_deg // 90) % 4
    return np.ascontiguousarray(np.rot90(rgb, k)) if k else rgb


def iter_frames(
    info: FootageInfo,
    start_s: float = 0.0,
    end_s: float | None = None,
) -> Iterator[Frame]:
    """Yield frames with indices at the nominal rate from start_s up to end_s.

    A decode error mid-file ends the stream early; the caller sees fewer
    frames than expected and reports the truncation.
    """
    fps = info.fps
    first = int(math.ceil(start_s * fps - 1e-6))
    last = info.frame_count if end_s is None else int(math.floor(end_s * fps + 1e-6))
    want = first
    previous: Frame | None = None
    with _open(info.path) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        origin = stream.start_time or 0
        if first > 0:
            container.seek(origin + int(start_s / stream.time_base), stream=stream, backward=True)
        try:
            for frame in container.decode(stream):
                if frame.pts is None:
                    continue
                index = int(round(float((frame.pts - origin) * stream.time_base) * fps))
                if index < want:
                    continue  # before the start, or a duplicate timestamp of VFR input
                # A gap in variable-frame-rate input is filled by repeating the last picture.
                while previous is not None and want < index and want < last:
                    yield Frame(want, previous.rgb)
                    want += 1
                want = max(want, index)
                if want >= last:
                    break
                previous = Frame(want, _rotate(frame.to_ndarray(format="rgb24"), info.rotation_deg))
                yield previous
                want += 1
        except av.error.FFmpegError:
            return


def sha256_file(path: Path, chunk_bytes: int = 1 << 20) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk_bytes):
            digest.update(block)
    return digest.hexdigest()
