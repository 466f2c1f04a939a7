"""`twincast tts`: speech only, to a WAV file that starts with the audio disclosure."""

from __future__ import annotations

import time
import wave
from pathlib import Path

import numpy as np

from twincast.errors import TwincastError
from twincast.progress import Progress
from twincast.trust.audio_label import with_disclosure
from twincast.voice.clauses import clauses, resolve_lang
from twincast.voice.speech import Phone
from twincast.voice.stream import Voice

MAX_CHARS = 100_000


def write_wav(path: Path, pcm: np.ndarray, rate: int) -> None:
    data = (np.clip(pcm, -1, 1) * 32767).astype("<i2").tobytes()
    tmp = path.with_name(path.name + ".part")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(data)
    tmp.replace(path)  # a reader never sees half a file


def synthesize(voice: Voice, text: str, lang: str, progress: Progress) -> tuple[np.ndarray, list[Phone], dict]:
    """The whole utterance, clause by clause with a progress bar, and timing facts."""
    if len(text) > MAX_CHARS:
        raise TwincastError(f"the text is {len(text):,} characters long", f"split it into parts under {MAX_CHARS:,}")
    main = resolve_lang(text, lang)
    total = len(clauses(text, main))
    if total == 0:
        raise TwincastError("there is nothing to say in this text (no words or numbers)", "give a sentence with words")
    pcm: list[np.ndarray] = []
    phones: list[Phone] = []
    started = time.perf_counter()
    first_ms = None
    done = 0
    with progress.bar("speaking", total=total, unit="clause") as advance:
        for chunk in voice.stream(text, main):
            if first_ms is None:
                first_ms = (time.perf_counter() - started) * 1000
            pcm.append(chunk.pcm)
            phones += chunk.phones
            if chunk.clause + 1 > done:
                advance(chunk.clause + 1 - done)
                done = chunk.clause + 1
    seconds = time.perf_counter() - started
    audio = np.concatenate(pcm)
    # Timings here include loading the engines on first use; bench/bench_tts.py
    # measures warm real-time factor and first-chunk latency.
    facts = {"lang": main, "seconds": round(len(audio) / voice.rate, 3), "synthesis_seconds": round(seconds, 3), "first_chunk_ms": round(first_ms or 0.0, 1), "engine_failures": voice.failures}
    return audio, phones, facts


def tts_file(voice: Voice, text: str, out_path: Path, lang: str, progress: Progress, disclosure: str = "spoken") -> dict:
    out_path = Path(out_path)
    if out_path.suffix.lower() != ".wav":
        raise TwincastError(f"{out_path.name}: only .wav output is written", "name the output something.wav")
    audio, phones, facts = synthesize(voice, text, lang, progress)
    audio, phones = with_disclosure(disclosure, facts["lang"], voice, audio, phones)
    write_wav(out_path, audio, voice.rate)
    return {"output": str(out_path), "sample_rate": voice.rate, "disclosure": disclosure, **facts}
