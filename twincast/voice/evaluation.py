"""`voice eval`: does voice matching bring the clone's voice closer to the person?

The profile is measured on the head of a clip; the held-out tail's speech is
transcribed, and that text is spoken by the base engine voice and by the
matched voice, its resynthesis chosen on the head's speech as a clone build
chooses it on the footage's (voice.resynthesis_choice). Speaker similarity
(resemblyzer cosine against the tail's real speech, the mean of
SIMILARITY_TAKES takes) and intelligibility (ASR of each version against the
text: WER, CER for Mandarin) are compared. Nothing is printed; progress goes
to `progress`.

Intelligibility is scored on more than the tail: a held-out tail is 15-40
words, where one misheard word moves the rate by 3-7 points, more than the
difference being measured. So each voice speaks the tail's text and a fixed
live-commerce passage (WER_PASSAGE), WER_REPEATS times (piper samples noise,
so every take differs), sentence by sentence, and the rate is all errors over
all words (`wer_units` says how many)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import numpy as np

from twincast.errors import TwincastError
from twincast.media.audio import load_audio
from twincast.voice.asr import detect_language, error_rate, normalize_en, normalize_zh, transcribe
from twincast.voice.matching import Matcher, speed_for
from twincast.voice.profile import extract_profile, speech_only
from twincast.voice.resynthesis_choice import chosen_plan, person_embedding
from twincast.voice.speaker import similarity
from twincast.voice.stream import Voice, resample, speak_all

TAIL_CAP_S = 30.0
FIRST_CHUNK_TEXT = {"en": "Welcome to the show.", "zh": "欢迎来到直播间，今天给大家带来三款新品。"}  # 20 characters each
WER_REPEATS = 3
# piper samples noise, so one take's similarity moved by up to 0.035 between runs (en_man_vlog's
# matched voice 0.546 and 0.581): each voice's figure is the mean over this many takes of the tail
SIMILARITY_TAKES = 3
# What a room says all day: products, materials, delivery, a call to action. Written for this
# project; plain words so that the reference needs no number normalisation.
WER_PASSAGE = {
    "en": (
        "Welcome back, everyone. Today I have three things to show you, and the first one is this steel "
        "water bottle. It keeps your tea hot for the whole morning and your water cold all afternoon. "
        "The lid opens with one hand, and it fits in the side pocket of a backpack. "
        "Next is a soft cotton shirt that comes in white, grey and navy blue. It is light, it breathes, "
        "and it does not shrink in the wash. Every order ships from our warehouse within two days, "
        "and if something is not right, send it back and we will sort it out. "
        "If you have a question about sizes or colours, just type it in the chat and I will answer it."
    ),
    "zh": (
        "欢迎家人们回到直播间，今天给大家带来三款好物。第一款是这个不锈钢保温杯，早上倒进去的热茶，到中午还是热的。"
        "杯盖一只手就能打开，放在背包侧袋里刚刚好。第二款是纯棉短袖，有白色、灰色和藏青色，穿着透气，洗了也不变形。"
        "所有订单都从我们自己的仓库发货，收到以后有任何问题，联系客服就可以处理。"
        "想问尺码和颜色的朋友，直接在评论区打字，我看到就给大家回答。"
    ),
}


def _step(progress, name: str, warning: bool = False) -> None:
    """A twincast.progress.Progress (info/warn on stderr), a plain callable, or None."""
    if progress is None:
        return
    say = getattr(progress, "warn" if warning else "info", None)
    if callable(say):
        say(name)
    elif callable(progress):
        progress(name)


def first_chunk_ms(voice: Voice, lang: str) -> float:
    """Time to the first chunk of a 20-character sentence on a warm engine."""
    text = FIRST_CHUNK_TEXT[lang]
    next(iter(voice.stream(text, lang)))  # warm: models loaded, caches filled
    start = time.perf_counter()
    next(iter(voice.stream(text, lang)))
    return (time.perf_counter() - start) * 1000


def units(text: str, lang: str) -> int:
    return len(normalize_zh(text) if lang == "zh" else normalize_en(text))


def sentences_of(text: str) -> list[str]:
    """Sentence-sized pieces: Whisper on minutes of audio can skip a whole 30 s window, and one skipped
    window would swamp the difference being measured; on a sentence a slip costs a word or two."""
    parts = re.split(r"(?<=[.!?。！？])\s*", text)
    return [p for p in parts if p.strip()]


def intelligibility(voice: Voice, text: str, lang: str, repeats: int = WER_REPEATS) -> float:
    """Error rate of the ASR on `repeats` takes of `text`, sentence by sentence: all errors over all words
    (or characters)."""
    errors = 0.0
    for _ in range(repeats):
        for sentence in sentences_of(text):
            pcm, _ = speak_all(voice, sentence, lang)
            errors += error_rate(sentence, transcribe(resample(pcm, voice.rate, 16000), lang), lang) * units(sentence, lang)
    return errors / (repeats * units(text, lang))


def mean_similarity(tail: np.ndarray, voice: Voice, text: str, lang: str, first_take: np.ndarray) -> float:
    """Similarity of the voice to the tail's real speech, over SIMILARITY_TAKES takes (the first given)."""
    takes = [first_take] + [speak_all(voice, text, lang)[0] for _ in range(SIMILARITY_TAKES - 1)]
    return float(np.mean([similarity(tail, resample(pcm, voice.rate, 16000)) for pcm in takes]))


def evaluate_voice(clip: Path, train_fraction: float = 0.7, progress=None, wer_repeats: int = WER_REPEATS) -> dict:
    clip = Path(clip)
    if not 0.1 <= train_fraction <= 0.95:
        raise TwincastError(f"train fraction {train_fraction} is out of range", "use a value between 0.1 and 0.95")
    _step(progress, "reading the audio")
    audio16 = load_audio(clip, 16000)
    if len(audio16) < 16000 * 3:
        raise TwincastError(f"{clip.name} has under 3 s of audio", "use a clip of 15 s or more")
    split = int(len(audio16) * train_fraction)
    _step(progress, "measuring the voice profile")
    audio24 = load_audio(clip, 24000)  # the envelope is compared with the engines' at 24 kHz
    profile = extract_profile(audio24[: int(len(audio24) * train_fraction)], 24000)
    if not profile.usable:
        _step(progress, f"voice profile not usable ({profile.reason}): the matched voice is the base voice", warning=True)
    tail = speech_only(audio16[split:], 16000)[: int(TAIL_CAP_S * 16000)]
    if len(tail) < 16000:
        raise TwincastError(f"the held-out tail of {clip.name} has under 1 s of speech", "use a smaller --train-fraction")
    _step(progress, "transcribing the held-out speech")
    lang = detect_language(tail)
    text = transcribe(tail, lang)
    if not text.strip():
        raise TwincastError(f"no words were recognised in the tail of {clip.name}", "use a clip with clear speech")

    _step(progress, "speaking the text with the base voice")
    base = Voice()
    speak_all(base, FIRST_CHUNK_TEXT[lang], lang)  # load the engine before timing it
    start = time.perf_counter()
    base_pcm, _ = speak_all(base, text, lang)
    rtf = (time.perf_counter() - start) / (len(base_pcm) / base.rate)
    first_ms = first_chunk_ms(base, lang)

    _step(progress, "speaking it with the matched voice")
    transform, resynthesis = None, None
    if profile.usable:
        # as a clone build does: the resynthesis chosen on the training part's speech, outside the timing
        choice = chosen_plan(profile, person_embedding(speech_only(audio16[:split], 16000)), lang)
        transform, resynthesis = Matcher(profile, plans={lang: choice.plan}), choice.plan.resynthesis
    matched = Voice(engines=base.engines, transform=transform, speed=speed_for(profile, lang))
    matched_pcm, _ = speak_all(matched, text, lang)
    matching_rtf = transform.seconds / transform.audio_s if transform is not None and transform.audio_s else 0.0

    _step(progress, "comparing voices and intelligibility")
    wer_text = f"{text} {WER_PASSAGE[lang]}"
    result = {
        "clip": clip.name,
        "lang": lang,
        "base_similarity": round(mean_similarity(tail, base, text, lang, base_pcm), 4),
        "matched_similarity": round(mean_similarity(tail, matched, text, lang, matched_pcm), 4),
        "base_wer": round(intelligibility(base, wer_text, lang, wer_repeats), 4),
        "matched_wer": round(intelligibility(matched, wer_text, lang, wer_repeats), 4),
        "rtf": round(rtf, 4),
        "first_chunk_ms": round(first_ms, 1),
        "matching_rtf": round(matching_rtf, 4),
        "resynthesis": resynthesis,
        "wer_metric": "cer" if lang == "zh" else "wer",
        "wer_units": wer_repeats * units(wer_text, lang),
    }
    return result
