"""Speech synthesis speed: real-time factor and time to the first playable chunk.

    .venv/bin/python bench/bench_tts.py [--repeats 5]

For each embedded engine: a 20-character commerce sentence and a ~150-character
paragraph, warm engines, median of the repeats. The baseline in the same run is
the engine's one-shot synthesis of the same sentence (no streaming, no
clauses): first_chunk / one_shot says what streaming buys; rtf is synthesis
time over audio duration through the whole stream (normalisation, clauses,
resampling to 24 kHz included). Threads: TWINCAST_TTS_THREADS (default 1, one
core per room).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

SENTENCES = {
    "zh": ("这款保温杯现在只要八十九块九，下单再送杯套", "家人们看过来，这款真空保温杯采用三百一十六不锈钢内胆，十二小时保温，一键开盖单手就能喝水。今天直播间下单只要八十九块九，还送杯套，库存只有三百二十件，喜欢的抓紧时间拍，我们明天就从浙江金华发货，包邮到家。"),
    "en": ("This cup is only $19.", "Hi everyone, welcome back! This vacuum cup keeps drinks hot for twelve hours and cold for a whole day. Today it is only $19.99, and every order ships free within two days."),
}


def main() -> int:
    from twincast.voice.stream import Voice

    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    voice = Voice()
    results = {}
    for lang, (short, paragraph) in SENTENCES.items():
        engine = voice.engines[lang]
        list(voice.stream(short, lang))  # load the models
        firsts, oneshots, rtfs = [], [], []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            stream = voice.stream(short, lang)
            next(stream)
            firsts.append((time.perf_counter() - t0) * 1000)
            list(stream)
            t0 = time.perf_counter()
            engine.synthesize(short.replace("，", ""), lang)
            oneshots.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            samples = sum(len(c.pcm) for c in voice.stream(paragraph, lang))
            rtfs.append((time.perf_counter() - t0) / (samples / voice.rate))
        first, oneshot = statistics.median(firsts), statistics.median(oneshots)
        results[lang] = {
            "engine": engine.name,
            "short_chars": len(short),
            "first_chunk_ms": round(first, 1),
            "one_shot_ms": round(oneshot, 1),
            "first_chunk_vs_one_shot": round(first / oneshot, 3),
            "rtf": round(statistics.median(rtfs), 4),
        }
        print(json.dumps({lang: results[lang]}, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
