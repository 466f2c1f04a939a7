"""Synthetic "talking head" footage with exact ground truth.

No clip of a real person may ship with twincast, yet the clone builder, the
face tracker and the demo need footage of a face that talks. This module makes
such footage from scikit-image's public-domain astronaut portrait: espeak-ng
speaks a few English sentences, and the mouth is opened frame by frame by an
amount derived from the loudness of that speech, so audio and mouth really are
related and the opening in pixels is known exactly.

The portrait shows a smile with the teeth visible; the warp first closes that
gap so that a mouth opening of 0 px really is a closed mouth.
"""

from __future__ import annotations

import math
import re
import subprocess
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import av
import cv2
import numpy as np
from scipy.signal import resample_poly

from twincast.media.yuv import yuv420p_frame
from twincast.voice.engines.wav_bytes import decode_wav

__all__ = [
    "SyntheticTruth",
    "make_talking_footage",
    "synthesize_speech",
    "astronaut_landmarks",
    "AUDIO_RATE_HZ",
]

AUDIO_RATE_HZ = 48000
_AAC_FRAME = 1024  # samples per AAC frame
_SOURCE_SIZE = 512

# FaceMesh (refine_landmarks=True, static mode) on skimage.data.astronaut(),
# in pixels of the 512x512 image (x = landmark.x * 512). Hard-coded rather than
# measured at run time so the footage does not depend on mediapipe's float
# results on a given CPU; tests re-measure them to catch a changed image.
_UPPER_INNER_LIP = (  # 78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308
    (203.3, 139.9), (205.9, 140.1), (209.1, 140.7), (212.9, 141.5), (217.6, 142.4),
    (223.5, 143.2), (229.4, 142.9), (234.1, 142.3), (237.8, 141.8), (240.9, 141.6),
    (243.4, 141.5),
)
_LOWER_INNER_LIP = (  # 78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308
    (203.3, 139.9), (206.4, 143.2), (209.0, 145.5), (212.6, 147.7), (217.3, 149.3),
    (223.0, 150.1), (228.6, 149.7), (233.3, 148.5), (237.1, 146.6), (239.9, 144.6),
    (243.4, 141.5),
)
_EYES = (  # (upper lid, lower lid), each from corner to corner
    (  # image-left eye: 33, 246, 161, 160, 159, 158, 157, 173, 133 / 33, 7, 163, 144, 145, ...
        ((195.2, 100.9), (196.1, 100.1), (197.2, 99.2), (199.4, 98.1), (202.8, 97.6),
         (206.3, 98.1), (209.7, 99.9), (212.2, 102.3), (213.3, 103.7)),
        ((195.2, 100.9), (196.5, 102.2), (197.9, 103.0), (200.1, 103.8), (203.4, 104.3),
         (206.8, 104.3), (210.1, 104.0), (212.2, 103.9), (213.3, 103.7)),
    ),
    (  # image-right eye: 362, 398, 384, 385, 386, 387, 388, 466, 263 / 362, 382, ...
        ((237.0, 104.9), (238.4, 103.7), (241.2, 101.6), (244.7, 100.0), (248.3, 99.7),
         (251.9, 100.6), (253.9, 102.1), (255.0, 103.2), (255.8, 104.3)),
        ((237.0, 104.9), (238.0, 105.3), (240.2, 105.6), (243.3, 106.2), (246.6, 106.7),
         (250.0, 106.6), (252.5, 106.1), (254.2, 105.4), (255.8, 104.3)),
    ),
)
_CHIN = (221.3, 177.4)  # landmark 152
_FACE_CENTER = (224.8, 124.0)  # middle of the face oval (234/454 across, 10/152 down)

# A mouth opens to roughly a third of its width when speaking loudly.
_MAX_OPEN_FRACTION_OF_MOUTH_WIDTH = 0.30
_MOUTH_INTERIOR_RGB = np.array([62.0, 22.0, 28.0], np.float32)
_BLINK_SHAPE = (0.35, 0.8, 0.92, 0.7, 0.3)  # eyelid closure over one blink

_SENTENCES = (
    "Welcome back to the stream, it is great to see you all.",
    "Today we are looking at a light and very warm winter jacket.",
    "The fabric is soft, it keeps out the wind, and it washes easily.",
    "It comes in four colours, and every size is in stock right now.",
    "If you have a question, just type it in the chat below.",
    "The price today is lower than the list price, so take a look.",
    "Many of you asked about the delivery time last week.",
    "Orders placed before six in the evening leave the same day.",
    "Let me show you the pocket on the inside of the jacket.",
    "There is room for a phone, a wallet and a pair of gloves.",
    "Remember that the coupon is only valid until midnight.",
    "Thank you for watching, and see you again tomorrow.",
    "Our next product is a simple steel water bottle.",
    "It keeps drinks cold for a whole day at the beach.",
)


@dataclass(frozen=True)
class SyntheticTruth:
    """What the generated clip shows, frame by frame.

    ``mouth_open_px`` is the gap between the inner lips at the middle of the
    mouth, in pixels of the output frame (0 = lips touching). With ``faces=0``
    there is no mouth and it is all zeros; ``speaking`` still follows the audio.
    """

    fps: int
    sample_rate_hz: int
    mouth_open_px: np.ndarray
    speaking: np.ndarray
    text: str
    eyelid_closure: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    face_scale_px_per_source_px: float = 1.0

    @property
    def n_frames(self) -> int:
        return int(self.mouth_open_px.shape[0])


# --------------------------------------------------------------------- speech


def synthesize_speech(
    text: str,
    sample_rate_hz: int = 16000,
    voice: str = "en",
    *,
    words_per_minute: int = 165,
    pitch: int = 50,
) -> np.ndarray:
    """Speak ``text`` with espeak-ng; float32 mono in [-1, 1] at ``sample_rate_hz``."""
    cmd = ["espeak-ng", "-v", voice, "-s", str(words_per_minute), "-p", str(pitch), "--stdout", text]
    wav_bytes = subprocess.run(cmd, check=True, capture_output=True).stdout
    # espeak-ng writes to a pipe, so its RIFF sizes are placeholders; decode_wav reads to the end.
    samples, rate = decode_wav(wav_bytes)
    return _resample(samples, rate, sample_rate_hz)


def _resample(samples: np.ndarray, rate: int, target: int) -> np.ndarray:
    if rate == target:
        return samples.astype(np.float32)
    g = math.gcd(rate, target)
    return resample_poly(samples, target // g, rate // g).astype(np.float32)


def _trim_silence(samples: np.ndarray, threshold: float = 1e-3) -> np.ndarray:
    loud = np.flatnonzero(np.abs(samples) > threshold)
    if loud.size == 0:
        return samples[:0]
    return samples[loud[0] : loud[-1] + 1]


def _split_sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def _pick_sentences(rng: np.random.Generator, count: int) -> list[str]:
    order: list[int] = []
    while len(order) < count:
        order.extend(rng.permutation(len(_SENTENCES)).tolist())
    return [_SENTENCES[i] for i in order[:count]]


@dataclass(frozen=True)
class _SpeechTrack:
    audio: np.ndarray  # float32 mono at AUDIO_RATE_HZ, exactly the clip length
    spans: list[tuple[int, int]]  # voiced sample ranges, one per sentence
    text: str


def _speech_track(seconds: float, seed: int, text: str | None) -> _SpeechTrack:
    """Sentences separated by 0.5-1.5 s of silence, cut to ``seconds``."""
    rng = np.random.default_rng(seed)
    total = int(round(seconds * AUDIO_RATE_HZ))
    sentences = _split_sentences(text) if text else None
    # A speaker keeps one voice through a clip; the seed varies it a little.
    wpm = int(rng.integers(150, 181))
    pitch = int(rng.integers(40, 61))
    # Every sentence with its pause lasts over a second, so this many always suffice.
    queue = sentences if sentences is not None else _pick_sentences(rng, int(seconds) + 1)
    pieces: list[np.ndarray] = [np.zeros(int(rng.uniform(0.3, 0.8) * AUDIO_RATE_HZ), np.float32)]
    spans: list[tuple[int, int]] = []
    cursor = pieces[0].size
    for sentence in queue:
        if cursor >= total:
            break
        voiced = _trim_silence(synthesize_speech(sentence, AUDIO_RATE_HZ, "en", words_per_minute=wpm, pitch=pitch))
        pause = np.zeros(int(rng.uniform(0.5, 1.5) * AUDIO_RATE_HZ), np.float32)
        spans.append((cursor, min(cursor + voiced.size, total)))
        pieces += [voiced, pause]
        cursor += voiced.size + pause.size
    audio = np.concatenate(pieces)[:total]
    audio = np.pad(audio, (0, total - audio.size))
    _fade_out_cut(audio, spans)
    return _SpeechTrack(_normalise(audio), spans, " ".join(queue[: len(spans)]))


def _fade_out_cut(audio: np.ndarray, spans: list[tuple[int, int]]) -> None:
    # A sentence cut off by the clip end would otherwise end in a click.
    if spans and spans[-1][1] == audio.size:
        n = min(int(0.02 * AUDIO_RATE_HZ), audio.size)
        audio[-n:] *= np.linspace(1.0, 0.0, n, dtype=np.float32)


def _normalise(audio: np.ndarray, peak: float = 0.5) -> np.ndarray:
    top = float(np.max(np.abs(audio))) if audio.size else 0.0
    return audio if top == 0.0 else (audio * (peak / top)).astype(np.float32)


# ----------------------------------------------------------- mouth from audio


def _frame_rms(audio: np.ndarray, fps: int, n_frames: int, window_s: float = 0.05) -> np.ndarray:
    half = int(window_s * AUDIO_RATE_HZ / 2)
    centres = ((np.arange(n_frames) + 0.5) * AUDIO_RATE_HZ / fps).astype(np.int64)
    energy = np.concatenate([[0.0], np.cumsum(audio.astype(np.float64) ** 2)])
    lo = np.clip(centres - half, 0, audio.size)
    hi = np.clip(centres + half, 0, audio.size)
    return np.sqrt((energy[hi] - energy[lo]) / np.maximum(hi - lo, 1))


def _speaking_frames(spans: list[tuple[int, int]], fps: int, n_frames: int) -> np.ndarray:
    t = (np.arange(n_frames) + 0.5) * AUDIO_RATE_HZ / fps
    speaking = np.zeros(n_frames, bool)
    for start, end in spans:
        speaking |= (t >= start) & (t < end)
    return speaking


def _mouth_track(rms: np.ndarray, speaking: np.ndarray, max_open: float) -> np.ndarray:
    """Opening in source pixels: loudness, compressed and smoothed, 0 in silence."""
    if not speaking.any():
        return np.zeros_like(rms, dtype=np.float32)
    reference = np.percentile(rms[speaking], 95) or 1.0
    level = np.clip(rms / reference, 0.0, 1.0)
    # Quiet consonants barely part the lips; the floor keeps near-silence shut.
    opening = np.clip((level - 0.1) / 0.9, 0.0, 1.0) ** 0.7
    # Jaws have inertia: a short low-pass keeps the mouth from flickering.
    opening = np.convolve(np.pad(opening, 1, mode="edge"), [0.25, 0.5, 0.25], mode="valid")
    return (opening * speaking * max_open).astype(np.float32)


def _blink_track(n_frames: int, fps: int, rng: np.random.Generator) -> np.ndarray:
    closure = np.zeros(n_frames, np.float32)
    # A blink takes about a fifth of a second whatever the frame rate.
    steps = max(2, round(0.2 * fps))
    shape = np.interp(np.linspace(0, len(_BLINK_SHAPE) - 1, steps), np.arange(len(_BLINK_SHAPE)), _BLINK_SHAPE)
    start = rng.uniform(1.0, 3.0) * fps
    while start < n_frames:
        i = int(start)
        closure[i : i + shape.size] = shape[: max(0, min(shape.size, n_frames - i))]
        start += rng.uniform(2.5, 5.5) * fps
    return closure


# ------------------------------------------------------------------ the face


def _smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def _coverage(y: np.ndarray, top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """Fraction of each pixel row [y-0.5, y+0.5] lying inside [top, bottom]."""
    return np.clip(np.minimum(y + 0.5, bottom) - np.maximum(y - 0.5, top), 0.0, 1.0)


def _pixel_coords(points) -> np.ndarray:
    # Landmarks measure from the image's top-left corner; OpenCV puts pixel
    # centres on integers, half a pixel further in.
    return np.asarray(points, np.float64) - 0.5


class _MouthWarp:
    """Closes the portrait's smile, then opens the jaw by a given number of pixels.

    Below the upper inner lip everything (lower lip, chin) is moved down by a
    smooth field that is the full opening at the mouth's middle, tapers to the
    corners along the lip, spreads wider further down like a jaw, and fades out
    on the neck. The gap that opens is painted as a dark mouth with the upper
    teeth (the portrait's own) along its top.
    """

    def __init__(self) -> None:
        upper = _pixel_coords(_UPPER_INNER_LIP)
        lower = _pixel_coords(_LOWER_INNER_LIP)
        chin_y = _CHIN[1] - 0.5
        self.centre_x = (upper[0, 0] + upper[-1, 0]) / 2
        self.half_width = (upper[-1, 0] - upper[0, 0]) / 2
        self.max_open = _MAX_OPEN_FRACTION_OF_MOUTH_WIDTH * 2 * self.half_width
        lip_y = float(np.interp(self.centre_x, upper[:, 0], upper[:, 1]))
        self.jaw_len = chin_y - lip_y
        # Out here the jaw profile moves the skin by under a tenth of a pixel.
        self.x0 = int(self.centre_x - 3.8 * self.half_width)
        self.x1 = int(self.centre_x + 3.8 * self.half_width) + 1
        self.y0 = int(upper[:, 1].min()) - 2
        self.y1 = int(chin_y + 1.9 * self.jaw_len + self.max_open) + 2
        xs = np.arange(self.x0, self.x1, dtype=np.float64)
        self.y = np.arange(self.y0, self.y1, dtype=np.float64)[:, None]
        self.map_x = np.broadcast_to(xs[None, :], (self.y.size, xs.size)).astype(np.float32)
        self.upper_y = np.interp(xs, upper[:, 0], upper[:, 1])[None, :]
        self.rest_gap = np.maximum(np.interp(xs, lower[:, 0], lower[:, 1]) - self.upper_y[0], 0.0)[None, :]
        t = (xs - self.centre_x) / self.half_width
        self.lip_profile = np.clip(1.0 - t * t, 0.0, 1.0)[None, :]
        # Wider than the lip profile everywhere, so the jaw never moves less
        # than the lip above it and the skin in between only ever stretches.
        self.jaw_profile = np.exp(-0.5 * (t / 1.2) ** 2)[None, :]

    def apply(self, image: np.ndarray, opening: float) -> None:
        """Warp ``image`` (uint8 RGB, source size) in place; ``opening`` in source px."""
        gap = opening * self.lip_profile
        lower_lip = self.upper_y + gap
        below = self.y - lower_lip  # distance under the (moved) lower lip
        jaw = self.lip_profile + (self.jaw_profile - self.lip_profile) * _smoothstep(below / (0.7 * self.jaw_len))
        jaw = jaw * (1.0 - _smoothstep((below - self.jaw_len) / (0.8 * self.jaw_len)))
        closing = self.rest_gap * (1.0 - _smoothstep(below / (1.5 * self.jaw_len)))
        src_y = self.y + closing - opening * jaw
        # Rows just above the moved lip belong partly to the lip: sample its edge.
        src_y = np.where(below < 0, self.upper_y + self.rest_gap, src_y)
        moved = cv2.remap(image, self.map_x, src_y.astype(np.float32), cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REPLICATE)
        # Only the rows around the lips mix lips, teeth and mouth; below them
        # the warped picture is the result as it is.
        band = int(np.ceil((self.upper_y + gap).max() - self.y0)) + 2
        still = image[self.y0 : self.y0 + band, self.x0 : self.x1].astype(np.float32)
        moved[:band] = self._composite(still, moved[:band].astype(np.float32), gap, lower_lip, band)
        image[self.y0 : self.y1, self.x0 : self.x1] = moved

    def _composite(self, still, moved, gap, lower_lip, band) -> np.ndarray:
        y = self.y[:band]
        upper_part = np.clip(self.upper_y - (y - 0.5), 0.0, 1.0)
        in_gap = _coverage(y, self.upper_y, lower_lip)
        teeth_h = np.minimum(0.45 * gap, 0.9 * self.rest_gap)
        teeth = _coverage(y, self.upper_y, self.upper_y + teeth_h)
        depth = np.clip((y - self.upper_y) / np.maximum(gap, 1e-6), 0.0, 1.0)
        interior = _MOUTH_INTERIOR_RGB * (1.0 - 0.5 * depth)[..., None]
        lower_part = np.clip(1.0 - upper_part - in_gap, 0.0, 1.0)
        out = ((upper_part + teeth)[..., None] * still
               + (in_gap - teeth)[..., None] * interior
               + lower_part[..., None] * moved)
        return np.clip(out + 0.5, 0, 255).astype(np.uint8)


class _EyelidWarp:
    """Lowers the upper eyelids by stretching the lid skin over the eye."""

    def __init__(self) -> None:
        self.eyes = []
        for upper_pts, lower_pts in _EYES:
            upper = _pixel_coords(upper_pts)
            lower = _pixel_coords(lower_pts)
            x0, x1 = int(upper[0, 0]) - 1, int(upper[-1, 0]) + 2
            xs = np.arange(x0, x1, dtype=np.float64)
            lid = np.interp(xs, upper[:, 0], upper[:, 1])[None, :]
            rim = np.interp(xs, lower[:, 0], lower[:, 1])[None, :]
            fold = 1.5 * float((rim - lid).max())  # skin above the lid that slides down
            y0, y1 = int(lid.min() - fold) - 1, int(rim.max()) + 2
            y = np.arange(y0, y1, dtype=np.float64)[:, None]
            map_x = np.broadcast_to(xs[None, :], (y.size, xs.size)).astype(np.float32)
            self.eyes.append((x0, x1, y0, y1, y, map_x, lid, rim, fold))

    def apply(self, image: np.ndarray, closure: float) -> None:
        if closure <= 0.0:
            return
        source = image.copy()
        for x0, x1, y0, y1, y, map_x, lid, rim, fold in self.eyes:
            drop = closure * (rim - lid)
            top = lid - fold
            stretched = top + (y - top) * fold / (fold + drop)
            squeezed = lid + (y - lid - drop) * (rim - lid) / np.maximum(rim - lid - drop, 1e-3)
            src_y = np.where(y < top, y, np.where(y < lid + drop, stretched, np.where(y < rim, squeezed, y)))
            image[y0:y1, x0:x1] = cv2.remap(source, map_x, src_y.astype(np.float32), cv2.INTER_LINEAR)


@lru_cache(maxsize=1)
def _astronaut() -> np.ndarray:
    from skimage import data  # test-only dependency; imported when footage is made

    image = np.ascontiguousarray(data.astronaut()[..., :3])
    image.setflags(write=False)
    return image


def astronaut_landmarks() -> dict[str, np.ndarray]:
    """The hard-coded FaceMesh points this module warps, in 512x512 image pixels.

    Keys: upper_inner_lip, lower_inner_lip, chin, and {left,right}_eye_{upper,lower}
    (left/right as seen in the image); the landmark ids are in the comments above.
    """
    points = {
        "upper_inner_lip": _UPPER_INNER_LIP,
        "lower_inner_lip": _LOWER_INNER_LIP,
        "chin": (_CHIN,),
        "left_eye_upper": _EYES[0][0],
        "left_eye_lower": _EYES[0][1],
        "right_eye_upper": _EYES[1][0],
        "right_eye_lower": _EYES[1][1],
    }
    return {name: np.asarray(xy, np.float64) for name, xy in points.items()}


# ------------------------------------------------------------ frame layout


def _compose(image: np.ndarray, faces: int) -> np.ndarray:
    if faces != 2:
        return image
    # Two heads side by side: each half shows the portrait centred on the face.
    half = _SOURCE_SIZE // 2
    x0 = int(round(_FACE_CENTER[0])) - half // 2
    strip = image[:, x0 : x0 + half]
    return np.ascontiguousarray(np.concatenate([strip, strip], axis=1))


def _faceless(image: np.ndarray) -> np.ndarray:
    # The same colours and layout, blurred until no face detector can find
    # features, so that only the face is missing from the picture.
    return cv2.GaussianBlur(image, (0, 0), sigmaX=18)


def _head_pose(n_frames: int, fps: int, rng: np.random.Generator, moving: bool) -> np.ndarray:
    """Per frame (rotation in degrees, dx, dy in source px): slow, incommensurate sways."""
    if not moving:
        return np.zeros((n_frames, 3))
    t = np.arange(n_frames)[:, None] / fps
    freq = np.array([0.11, 0.17, 0.23]) * rng.uniform(0.8, 1.25, 3)
    phase = rng.uniform(0, 2 * np.pi, 3)
    amplitude = np.array([1.2, 1.5, 1.0])
    return amplitude * np.sin(2 * np.pi * freq * t + phase)


def _affine(pose: np.ndarray, scale: float, size: int, pivot: tuple[float, float]) -> np.ndarray:
    """Source->output 2x3 matrix: rotate about the face, shift, then scale about the centre."""
    angle, dx, dy = pose
    rot = np.vstack([cv2.getRotationMatrix2D(pivot, float(angle), 1.0), [0, 0, 1]])
    rot[:2, 2] += (dx, dy)
    c, out_c = _SOURCE_SIZE / 2 - 0.5, size / 2 - 0.5
    zoom = np.array([[scale, 0, out_c - scale * c], [0, scale, out_c - scale * c], [0, 0, 1]])
    return (zoom @ rot)[:2]


# ------------------------------------------------------------------ encoding


def _open_output(path: Path, fps: int, size: int, with_audio: bool):
    # A track timescale of fps keeps the stored pts equal to the frame index.
    options = {"movflags": "+faststart", "video_track_timescale": str(fps)}
    container = av.open(str(path), mode="w", options=options)
    video = container.add_stream("libx264", rate=fps, options={"crf": "18", "preset": "veryfast"})
    video.width = video.height = size
    video.pix_fmt = "yuv420p"
    video.time_base = Fraction(1, fps)
    audio = None
    if with_audio:
        # The "fast" coder is 3x quicker than the default and the speech is
        # only ever analysed, never judged by ear.
        audio = container.add_stream("aac", rate=AUDIO_RATE_HZ, layout="mono", options={"aac_coder": "fast"})
        audio.time_base = Fraction(1, AUDIO_RATE_HZ)
    return container, video, audio


def _audio_frames(samples: np.ndarray, upto: int, start: int, chunk: int = _AAC_FRAME):
    """AAC-sized frames covering samples [start, upto), pts counted in samples."""
    for s in range(start, upto, chunk):
        piece = samples[s : min(s + chunk, upto)]
        frame = av.AudioFrame.from_ndarray(piece[None, :], format="fltp", layout="mono")
        frame.sample_rate = AUDIO_RATE_HZ
        frame.pts = s
        frame.time_base = Fraction(1, AUDIO_RATE_HZ)
        yield frame


# ------------------------------------------------------------------ public


def make_talking_footage(
    path: Path,
    *,
    seconds: float = 20.0,
    fps: int = 25,
    size: int = 512,
    seed: int = 0,
    with_audio: bool = True,
    faces: int = 1,
    text: str | None = None,
    face_scale: float = 1.0,
    head_motion: bool = True,
    blinks: bool = True,
) -> SyntheticTruth:
    """Write an MP4 (H.264 + AAC 48 kHz via PyAV) of the astronaut face speaking.

    ``size`` is the (square, even) output size; ``face_scale`` < 1 shrinks the
    picture inside the frame so the face becomes small. ``faces`` is 0, 1 or 2.
    The same arguments always give the same frames and ground truth.
    """
    if faces not in (0, 1, 2):
        raise ValueError("faces must be 0, 1 or 2")
    if size <= 0 or size % 2:
        raise ValueError("size must be a positive even number (yuv420p)")
    if not 0 < face_scale <= 4 or seconds <= 0 or fps <= 0:
        raise ValueError("seconds, fps and face_scale must be positive")
    n_frames = int(round(seconds * fps))
    speech = _speech_track(n_frames / fps, seed, text)
    rng = np.random.default_rng([seed, 1])
    mouth, eyes = _MouthWarp(), _EyelidWarp()
    speaking = _speaking_frames(speech.spans, fps, n_frames)
    opening = _mouth_track(_frame_rms(speech.audio, fps, n_frames), speaking, mouth.max_open)
    closure = _blink_track(n_frames, fps, rng) if blinks and faces else np.zeros(n_frames, np.float32)
    poses = _head_pose(n_frames, fps, rng, head_motion)
    scale = size / _SOURCE_SIZE * face_scale
    pivot = (_SOURCE_SIZE / 2 - 0.5, _FACE_CENTER[1]) if faces == 2 else _FACE_CENTER
    base = _astronaut() if faces else _faceless(_astronaut())

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    container, video, audio = _open_output(path, fps, size, with_audio)
    audio_done = 0
    try:
        for i in range(n_frames):
            frame = base.copy()
            if faces:
                eyes.apply(frame, float(closure[i]))
                mouth.apply(frame, float(opening[i]))
            out = cv2.warpAffine(_compose(frame, faces), _affine(poses[i], scale, size, pivot), (size, size),
                                 flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            vf = yuv420p_frame(out)
            vf.pts = i
            container.mux(video.encode(vf))
            if audio is not None:
                # Interleave: keep the audio written up to the end of this frame.
                # Only whole AAC frames may go in before the last one.
                upto = (i + 1) * AUDIO_RATE_HZ // fps // _AAC_FRAME * _AAC_FRAME
                upto = min(speech.audio.size, max(upto, audio_done))
                for af in _audio_frames(speech.audio, upto, audio_done):
                    container.mux(audio.encode(af))
                audio_done = upto
        container.mux(video.encode(None))
        if audio is not None:
            for af in _audio_frames(speech.audio, speech.audio.size, audio_done):
                container.mux(audio.encode(af))
            container.mux(audio.encode(None))
    finally:
        container.close()

    mouth_px = opening * scale if faces else np.zeros(n_frames, np.float32)
    return SyntheticTruth(
        fps=fps,
        sample_rate_hz=AUDIO_RATE_HZ,
        mouth_open_px=mouth_px.astype(np.float32),
        speaking=speaking,
        text=speech.text,
        eyelid_closure=closure,
        face_scale_px_per_source_px=scale,
    )
