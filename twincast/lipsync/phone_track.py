"""Lips driven by the words: the voice's own phone timings put hard limits on
the audio-driven mouth.

The audio model gets the rhythm and the general shape right, but it smooths
over a 40 ms /b/ and under-opens a stressed /a/, and viewers notice exactly
those: lips that do not meet on "pack" or "爸爸" read as dubbed. The TTS knows
when every phone is, so bilabials close, open vowels open and silence rests,
whatever the audio model guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter1d

from twincast.clone.clone import Clone
from twincast.lipsync.mouth_track import audio_mouth_track, pauses
from twincast.voice.speech import Phone

OTHER, BILABIAL, OPEN, SILENCE = 0, 1, 2, 3
CLASS_NAMES = {OTHER: "other", BILABIAL: "bilabial", OPEN: "open", SILENCE: "silence"}

EN_BILABIAL = frozenset("pbm")
# The first codepoint decides, so the diphthongs aɪ / aʊ (if an engine spells
# them as one symbol) open like /a/.
EN_OPEN = frozenset("aɑæɒ")
ZH_BILABIAL = frozenset({"b", "p", "m"})
# Finals whose nucleus is the open /a/. ian and van (üan) are left out: their
# /a/ is raised to [ɛ] and the jaw hardly drops.
ZH_OPEN = frozenset({"a", "ai", "ao", "an", "ang", "ia", "iao", "ua", "uai", "uan", "uang", "iang"})
SILENT_SYMBOLS = frozenset({"sil"})

COARTICULATION_FRAMES = 1.2  # gaussian sigma: at 25-30 fps a phone is 2-3 frames, so this reaches ~2 phones
PAUSE_MAX_S = 0.7  # as mouth_track: a shorter silence with speech both sides is a pause
MIN_POOL = 12  # fewest library mouths a class may choose from (the most extreme ones when few qualify)
OPEN_PERCENTILE = 75  # "clearly open" for this person: this percentile of their library openings


def phone_class(symbol: str, lang: str) -> int:
    if symbol in SILENT_SYMBOLS:
        return SILENCE
    if lang == "zh":
        if symbol in ZH_BILABIAL:
            return BILABIAL
        return OPEN if symbol.rstrip("0123456789") in ZH_OPEN else OTHER
    if symbol in EN_BILABIAL:
        return BILABIAL
    return OPEN if symbol[:1] in EN_OPEN else OTHER


def frame_classes(phones: list[Phone], rate: int, fps: float, n_frames: int) -> np.ndarray:
    """Class of each video frame: the phone its centre time falls in (silence
    where no phone is). A bilabial or open phone too short to hold any frame
    centre still claims its nearest frame, or a quick /b/ would never close."""
    classes = np.full(n_frames, SILENCE, np.int8)
    if n_frames == 0:
        return classes
    centres = (np.arange(n_frames) + 0.5) * rate / fps  # in samples
    short: list[tuple[int, int]] = []
    for p in phones:
        c = phone_class(p.symbol, p.lang)
        a, b = np.searchsorted(centres, [p.start, p.end], side="left")
        if a < b:
            classes[a:b] = c
        elif c in (BILABIAL, OPEN) and p.end > p.start:
            short.append((c, p.start + p.end))
    # Claims go after the tiling so a neighbour cannot overwrite them; a
    # closure beats a vowel for a frame both want (a missed closure shows more).
    for c, twice_mid in sorted(short, key=lambda s: s[0] == BILABIAL):
        t = int(np.clip(np.floor(twice_mid / 2 * fps / rate), 0, n_frames - 1))
        if classes[t] in (OTHER, SILENCE) or (c == BILABIAL and classes[t] == OPEN):
            classes[t] = c
    return classes


@dataclass(frozen=True)
class MouthLevels:
    """The person's own openings that bilabials, open vowels and silence are held to."""

    closed_max: float  # a bilabial mouth is chosen at or below this opening
    open_min: float  # an open-vowel mouth is chosen at or above this opening
    still_max: float  # a silent mouth is chosen at or below this opening
    closed_shape: np.ndarray  # features of the person's typical closed mouth
    open_shape: np.ndarray  # features of a clearly open mouth


def mouth_levels(clone: Clone) -> MouthLevels:
    space = clone.space
    shapes = clone.library.shapes
    opening = shapes[:, 0]
    span = space.open_threshold - space.closed_opening
    # Selection levels sit inside the measured ones (articulation.py) by a
    # quarter of the person's closed->threshold span: a composited mouth is
    # re-read with some noise, and a mouth chosen right at the line flips.
    closed_max = space.closed_opening + 0.25 * span
    still_max = space.closed_opening + 0.5 * span
    open_min = max(space.open_threshold + span, float(np.percentile(opening, OPEN_PERCENTILE)))
    closed_pool = pool(opening, closed_max, below=True)
    open_pool = pool(opening, open_min, below=False)
    return MouthLevels(
        closed_max=float(closed_max),
        open_min=float(open_min),
        still_max=float(still_max),
        closed_shape=np.median(shapes[closed_pool], axis=0).astype(np.float32),
        open_shape=np.median(shapes[open_pool], axis=0).astype(np.float32),
    )


def pool(opening: np.ndarray, level: float, below: bool) -> np.ndarray:
    """Library mouths on the right side of the level; the MIN_POOL most extreme
    ones when too few are (a clone filmed with little mouth movement)."""
    ok = opening <= level if below else opening >= level
    if ok.sum() >= min(MIN_POOL, len(opening)):
        return ok
    order = np.argsort(opening if below else -opening)
    ok = np.zeros(len(opening), bool)
    ok[order[:MIN_POOL]] = True
    return ok


def class_pools(clone: Clone) -> dict[int, np.ndarray]:
    """Class -> which library mouths may show it (classes not listed: any)."""
    opening = clone.library.shapes[:, 0]
    levels = mouth_levels(clone)
    return {
        BILABIAL: pool(opening, levels.closed_max, below=True),
        OPEN: pool(opening, levels.open_min, below=False),
        SILENCE: pool(opening, levels.still_max, below=True),
    }


def _still_targets(clone: Clone, speaking: np.ndarray, levels: MouthLevels) -> np.ndarray:
    """Rest in silence; the person's pause mouth in short pauses inside speech,
    unless their pause mouth is open enough to read as talking."""
    still = np.repeat(clone.rest_shape[None, :], len(speaking), axis=0)
    if clone.pause_shape[0] <= levels.still_max:
        still[pauses(speaking, int(PAUSE_MAX_S * clone.fps))] = clone.pause_shape
    return still


def enforce_phones(targets: np.ndarray, classes: np.ndarray, still: np.ndarray, levels: MouthLevels) -> np.ndarray:
    out = targets.copy()
    out[classes == BILABIAL] = levels.closed_shape
    # An open vowel keeps the audio's shape when that is open enough already
    # (variety); otherwise it takes the person's clearly open mouth.
    shut = (classes == OPEN) & (out[:, 0] < levels.open_min)
    out[shut] = levels.open_shape
    silent = classes == SILENCE
    out[silent] = still[silent]
    return out


def phone_mouth_track(clone: Clone, audio_16k: np.ndarray, phones: list[Phone], rate: int, n_frames: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(targets n_frames x F, speaking n_frames, classes n_frames) for TTS
    audio at 16 kHz and its phones timed in samples at `rate`."""
    classes = frame_classes(phones, rate, clone.fps, n_frames)
    speaking = classes != SILENCE
    raw, _ = audio_mouth_track(clone, audio_16k, n_frames)
    levels = mouth_levels(clone)
    still = _still_targets(clone, speaking, levels)
    hard = enforce_phones(raw, classes, still, levels)
    # Coarticulation: the frames between constraints lean toward them (lips
    # start closing before a /m/), then the constraints are put back so no
    # constrained frame loses its class and silence stays exactly still.
    soft = gaussian_filter1d(hard, COARTICULATION_FRAMES, axis=0, mode="nearest") if n_frames else hard
    return enforce_phones(soft, classes, still, levels), speaking, classes
