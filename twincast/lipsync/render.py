"""`twincast lipsync`: a clone speaking any audio, labelled, muxed in sync."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from twincast.clone.base_loop import BaseLoopReader
from twincast.clone.clone import Clone, load_clone
from twincast.errors import TwincastError
from twincast.face.shape import pose_proxy
from twincast.lipsync.audio_features import SAMPLE_RATE_HZ
from twincast.lipsync.compositor import composite
from twincast.lipsync.mouth_track import audio_mouth_track
from twincast.lipsync.mouth_choice import choose_mouths
from twincast.media.audio import load_audio
from twincast.media.mp4_writer import AUDIO_RATE_HZ, Mp4Writer
from twincast.progress import Progress
from twincast.trust.label import Label

MAX_AUDIO_SECONDS = 30 * 60


def base_pose(clone: Clone, n_frames: int) -> np.ndarray:
    """Head pose of the idle-loop frame each output frame is pasted on."""
    loop = clone.base_landmarks
    return pose_proxy(loop)[np.arange(n_frames) % len(loop)]


def frames_for_path(clone: Clone, path: np.ndarray, language: str = "en") -> Iterator[np.ndarray]:
    """Labelled frames: library mouth path[t] over idle-loop frame t. Every
    driver (audio, phones) goes through here, so every frame gets the label."""
    lib = clone.library
    base = BaseLoopReader(clone.base_path, clone.base_landmarks)
    label = Label(clone.width, clone.height, language)
    for j in path:
        frame, points = base.next()
        composite(frame, points, lib.crop(int(j)), lib.landmarks[int(j)])
        yield label.stamp(frame)


def render_frames(clone: Clone, audio_16k: np.ndarray, n_frames: int, language: str = "en") -> Iterator[np.ndarray]:
    """Labelled frames of the clone saying the audio, over its idle loop."""
    targets, speaking = audio_mouth_track(clone, audio_16k, n_frames)
    path = choose_mouths(clone, targets, base_pose(clone, n_frames), speaking)
    return frames_for_path(clone, path, language)


def write_video(
    out_path: Path, clone: Clone, frames: Iterable[np.ndarray], n_frames: int, audio_48k: Iterable[np.ndarray], progress: Progress
) -> Path:
    """The frames and the audio (blocks at AUDIO_RATE_HZ, any sizes) into one
    MP4, interleaved: the audio up to the end of each frame goes in beside it,
    so players never buffer far and a long file needs no whole-audio copy."""
    feed = _AudioFeed(iter(audio_48k))
    with Mp4Writer(out_path, clone.width, clone.height, clone.fps) as writer:
        written = 0
        with progress.bar("rendering", total=n_frames, unit="frame") as advance:
            for t, frame in enumerate(frames):
                writer.write_frame(frame)
                upto = int(round((t + 1) * AUDIO_RATE_HZ / clone.fps))
                writer.write_audio(feed.take(upto - written))
                written = upto
                advance(1)
        writer.write_audio(feed.rest())
    return Path(out_path)


class _AudioFeed:
    """Hands out the next n samples of a stream of blocks."""

    def __init__(self, blocks: Iterator[np.ndarray]) -> None:
        self._blocks = blocks
        self._buf = np.zeros(0, np.float32)

    def take(self, n: int) -> np.ndarray:
        while len(self._buf) < n:
            block = next(self._blocks, None)
            if block is None:
                break
            self._buf = np.concatenate([self._buf, np.asarray(block, np.float32)])
        out, self._buf = self._buf[: max(n, 0)], self._buf[max(n, 0) :]
        return out

    def rest(self) -> np.ndarray:
        return np.concatenate([self._buf, *[np.asarray(b, np.float32) for b in self._blocks]])


def check_clone_usable(clone: Clone, use: str, today: dt.date) -> None:
    expires = clone.manifest.get("consent_expires")
    if expires and dt.date.fromisoformat(expires) < today:
        raise TwincastError(f"the consent behind this clone expired on {expires}", "ask the person to renew it and rebuild the clone")
    scope = clone.manifest.get("consent_scope", [])
    if use not in scope:
        raise TwincastError(f"the person's consent does not cover '{use}' (only {', '.join(scope)})", "record a consent whose --scope includes it and rebuild")


def lipsync_file(clone_dir: Path, audio_path: Path, out_path: Path, progress: Progress, now: dt.datetime, language: str = "en") -> Path:
    clone = load_clone(clone_dir)
    check_clone_usable(clone, "video", now.date())
    audio_16k = load_audio(audio_path, SAMPLE_RATE_HZ)
    duration = len(audio_16k) / SAMPLE_RATE_HZ
    if duration < 0.1:
        raise TwincastError(f"{Path(audio_path).name} holds no sound (or under 0.1 s)", "give a recording of speech")
    if duration > MAX_AUDIO_SECONDS:
        raise TwincastError(f"{Path(audio_path).name} is {duration / 60:.0f} minutes long", f"split it into parts under {MAX_AUDIO_SECONDS // 60} minutes")
    audio_out = load_audio(audio_path, AUDIO_RATE_HZ)
    n_frames = int(math.ceil(duration * clone.fps))
    return write_video(out_path, clone, render_frames(clone, audio_16k, n_frames, language), n_frames, [audio_out], progress)
