"""Mouths for a live room, from phone timings alone.

The audio-driven model costs ~1.5 s per call (a padded 30 s Whisper window),
which a room that must answer within 300 ms cannot pay per chunk. So once, at
room start, the audio model is run on a calibration paragraph spoken by the
room's own voice, and the mouth it predicts is averaged per phone symbol: a
per-person, per-voice viseme table. Live, each frame's target is its phone's
entry, then the phone constraints (phone_track) and coarticulation smoothing
apply exactly as in `say`, and retrieval picks real mouths for each batch of
frames as the speech arrives."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter1d

from twincast.clone.clone import Clone
from twincast.face.shape import pose_proxy
from twincast.lipsync.mouth_choice import choose_mouths
from twincast.lipsync.mouth_track import audio_mouth_track
from twincast.lipsync.phone_track import COARTICULATION_FRAMES, SILENCE, _still_targets, enforce_phones, frame_classes, mouth_levels, phone_class
from twincast.voice.speech import Phone

CALIBRATION = {
    "zh": "家人们看过来，这款保温杯采用三百一十六不锈钢内胆，保温十二个小时。今天直播间只要八十九块九，下单再送杯套，包邮到家，喜欢的宝宝抓紧时间拍吧！",
    "en": "Hi everyone, welcome back! This vacuum cup keeps your coffee hot for twelve hours. Today it is only nineteen ninety-nine, with free shipping, so grab yours before they are gone.",
}
CONTEXT_FRAMES = 4  # frames before a batch that its smoothing looks at


def _symbols_per_frame(phones: list[Phone], rate: int, fps: float, n_frames: int) -> list[str]:
    centres = (np.arange(n_frames) + 0.5) * rate / fps
    starts = np.array([p.start for p in phones])
    out = []
    for c in centres:
        i = int(np.searchsorted(starts, c, side="right")) - 1
        out.append(phones[i].symbol if 0 <= i < len(phones) and phones[i].start <= c < phones[i].end else "sil")
    return out


@dataclass
class VisemeTable:
    table: dict[str, np.ndarray]
    fallback: np.ndarray

    def target(self, symbol: str) -> np.ndarray:
        return self.table.get(symbol, self.fallback)


def calibrate(clone: Clone, voice, lang: str) -> VisemeTable:  # noqa: ANN001 - voice.stream.Voice
    from twincast.voice.stream import resample, speak_all

    pcm, phones = speak_all(voice, CALIBRATION[lang], lang)
    n_frames = int(len(pcm) / voice.rate * clone.fps)
    targets, _ = audio_mouth_track(clone, resample(pcm, voice.rate, 16000), n_frames)
    symbols = _symbols_per_frame(phones, voice.rate, clone.fps, n_frames)
    by_symbol: dict[str, list[np.ndarray]] = {}
    for s, t in zip(symbols, targets):
        by_symbol.setdefault(s, []).append(t)
    table = {s: np.mean(v, axis=0).astype(np.float32) for s, v in by_symbol.items() if len(v) >= 2 and s != "sil"}
    speaking = [t for s, t in zip(symbols, targets) if phone_class(s, lang) != SILENCE]
    fallback = np.mean(speaking, axis=0).astype(np.float32) if speaking else clone.rest_shape
    return VisemeTable(table, fallback)


class LiveMouth:
    def __init__(self, clone: Clone, table: VisemeTable) -> None:
        self.clone = clone
        self.table = table
        self.levels = mouth_levels(clone)
        self.loop_pose = pose_proxy(clone.base_landmarks)

    def plan(self, phones: list[Phone], rate: int, first: int, n: int, room_frame: int) -> list[int]:
        """Library mouths for utterance frames [first, first + n), to be shown
        from room frame `room_frame` on (for the head pose of the base loop)."""
        if n <= 0:
            return []
        lo = max(0, first - CONTEXT_FRAMES)
        total = first + n
        classes = frame_classes(phones, rate, self.clone.fps, total)
        symbols = _symbols_per_frame(phones, rate, self.clone.fps, total)[lo:]
        raw = np.stack([self.table.target(s) for s in symbols])
        still = _still_targets(self.clone, classes != SILENCE, self.levels)[lo:]
        cls = classes[lo:]
        hard = enforce_phones(raw, cls, still, self.levels)
        soft = enforce_phones(gaussian_filter1d(hard, COARTICULATION_FRAMES, axis=0, mode="nearest"), cls, still, self.levels)
        k = first - lo
        targets, cls = soft[k:], cls[k:]
        poses = self.loop_pose[(room_frame + np.arange(n)) % len(self.loop_pose)]
        return [int(i) for i in choose_mouths(self.clone, targets, poses, cls != SILENCE, cls)]
