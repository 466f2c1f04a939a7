"""The audio disclosure at the start of every file and every reply turn.

GB 45438-2025 §5.3 allows either a spoken notice at normal speed or the
short-long-short-short tone rhythm. Both are offered; neither can be switched
off. The spoken Mandarin notice says 人工智能 rather than "AI": the Mandarin
voice cannot pronounce Latin letters, and handing two letters to the English
voice mid-sentence sounds like a second speaker."""

from __future__ import annotations

import dataclasses
from typing import Literal

import numpy as np

from twincast.voice.speech import Phone

Form = Literal["spoken", "tone"]
FORMS: tuple[str, ...] = ("spoken", "tone")
SPOKEN = {"zh": "本内容由人工智能生成。", "en": "This content is AI-generated."}
TONE_HZ = 1000.0
SHORT_S, LONG_S, GAP_S = 0.15, 0.45, 0.12
RHYTHM = (SHORT_S, LONG_S, SHORT_S, SHORT_S)
TONE_LEVEL = 0.3
AFTER_S = 0.3  # silence between the notice and the content
ZH_CHARS_PER_MINUTE = 150  # DESIGN.md: 120-160 characters per minute


def tone_rhythm(rate: int) -> np.ndarray:
    """short-long-short-short beeps, 10 ms raised-cosine edges so they do not click."""
    parts: list[np.ndarray] = []
    edge = int(0.01 * rate)
    ramp = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, edge))
    for i, length in enumerate(RHYTHM):
        n = int(length * rate)
        beep = TONE_LEVEL * np.sin(2 * np.pi * TONE_HZ * np.arange(n) / rate)
        beep[:edge] *= ramp
        beep[-edge:] *= ramp[::-1]
        parts.append(beep)
        parts.append(np.zeros(int(GAP_S * rate)))
    return np.concatenate(parts).astype(np.float32)


def disclosure(form: str, lang: str, voice, rate: int) -> tuple[np.ndarray, list[Phone]]:  # noqa: ANN001 - voice.stream.Voice
    """The notice as samples at `rate` (with its phones when spoken), then AFTER_S of silence."""
    if form not in FORMS:
        from twincast.errors import TwincastError

        raise TwincastError(f"audio disclosure form {form!r} is unknown", "use 'spoken' or 'tone' (it cannot be turned off)")
    if form == "tone":
        pcm, phones = tone_rhythm(rate), []
    else:
        assert voice.rate == rate, "the voice speaks at the rate the notice is wanted in"
        pcm, phones = _spoken(voice, "zh" if lang == "zh" else "en")
    tail = np.zeros(int(AFTER_S * rate), np.float32)
    return np.concatenate([pcm, tail]), phones + [Phone("sil", len(pcm), len(pcm) + len(tail), lang)]


def _spoken(voice, lang: str) -> tuple[np.ndarray, list[Phone]]:  # noqa: ANN001
    """The spoken notice; in Mandarin no faster than ZH_CHARS_PER_MINUTE, so
    it is clearly understood (the engine's natural pace is ~250 per minute)."""
    from twincast.voice.stream import speak_all  # the voice imports this module's siblings

    text = SPOKEN[lang]
    pcm, phones = speak_all(voice, text, lang=lang)
    if lang == "zh":
        chars = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
        spoken_s = sum(p.end - p.start for p in phones if p.symbol != "sil") / voice.rate
        wanted_s = chars * 60 / ZH_CHARS_PER_MINUTE
        if spoken_s < 0.95 * wanted_s:
            slower = dataclasses.replace(voice, speed=max(0.5, voice.speed * spoken_s / wanted_s), transform=voice.transform)
            pcm, phones = speak_all(slower, text, lang=lang)
    return pcm, phones


def with_disclosure(form: str, lang: str, voice, pcm: np.ndarray, phones: list[Phone]) -> tuple[np.ndarray, list[Phone]]:  # noqa: ANN001
    """pcm and phones with the notice put in front of them (phones shifted)."""
    notice, notice_phones = disclosure(form, lang, voice, voice.rate)
    shift = len(notice)
    return np.concatenate([notice, pcm]), notice_phones + [Phone(p.symbol, p.start + shift, p.end + shift, p.lang) for p in phones]
