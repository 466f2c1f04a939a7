"""`twincast say`: text in, the clone saying it (labelled, disclosed) out.

The voice speaks the text; its phone timings drive the lips (phone_track), so
"爸爸" closes twice and "pack" opens. The AI disclosure (spoken or the tone
rhythm) is put in front of the audio and the lips follow it like any speech.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from twincast.clone.clone import load_clone
from twincast.errors import TwincastError
from twincast.evaluation.articulation import OpeningMeter, articulation_report, draw_articulation
from twincast.lipsync.audio_features import SAMPLE_RATE_HZ
from twincast.lipsync.mouth_choice import choose_mouths
from twincast.lipsync.phone_track import phone_mouth_track
from twincast.lipsync.render import base_pose, check_clone_usable, frames_for_path, write_video
from twincast.media.mp4_writer import AUDIO_RATE_HZ
from twincast.progress import Progress
from twincast.trust.audio_label import FORMS, with_disclosure
from twincast.voice.clauses import resolve_lang
from twincast.voice.stream import resample, speak_all

RESAMPLE_BLOCK_S = 10.0


def say_file(
    clone_dir: Path,
    voice,  # noqa: ANN001 - twincast.voice.stream.Voice
    text: str,
    lang: str,
    out_path: Path,
    progress: Progress,
    now: dt.datetime,
    disclosure: str = "spoken",
    report_path: Path | None = None,
) -> dict:
    """Render the clone saying `text` to out_path (MP4). lang: zh, en or auto
    (decides the disclosure's and the label's language; mixed text is spoken
    clause by clause in its own language). disclosure: "spoken" or "tone".
    With report_path, the mouth is re-detected on every rendered frame and the
    articulation figures go there as JSON (and a PNG beside it). Returns the
    report (without articulation figures when no report_path was given)."""
    t0 = time.perf_counter()
    if disclosure not in FORMS:  # before minutes of synthesis, not after
        raise TwincastError(f"audio disclosure form {disclosure!r} is unknown", "use 'spoken' or 'tone' (it cannot be turned off)")
    clone = load_clone(clone_dir)
    check_clone_usable(clone, "video", now.date())
    main_lang = resolve_lang(text, lang)
    with progress.step("speaking the text"):
        pcm, phones = speak_all(voice, text, lang)
        pcm, phones = with_disclosure(disclosure, main_lang, voice, pcm, phones)
    rate = voice.rate
    n_frames = int(math.ceil(len(pcm) / rate * clone.fps))
    with progress.step("placing the lips on the phones"):
        targets, speaking, classes = phone_mouth_track(clone, resample(pcm, rate, SAMPLE_RATE_HZ), phones, rate, n_frames)
        path = choose_mouths(clone, targets, base_pose(clone, n_frames), speaking, classes)
        del targets
    frames: Iterable[np.ndarray] = frames_for_path(clone, path, main_lang)
    meter = OpeningMeter() if report_path is not None else None
    try:
        if meter is not None:
            frames = map(meter, frames)
        write_video(out_path, clone, frames, n_frames, resampled_blocks(pcm, rate, AUDIO_RATE_HZ), progress)
    finally:
        if meter is not None:
            meter.close()
    report = {
        "output": str(out_path),
        "lang": main_lang,
        "disclosure": disclosure,
        "seconds": round(len(pcm) / rate, 3),
        "frames": n_frames,
        "fps": clone.fps,
        "voice_failures": voice.failures,
        "render_seconds": round(time.perf_counter() - t0, 1),
    }
    if meter is not None:
        report["articulation"] = articulation_report(classes, np.array(meter.openings), clone.space)
        report_path = Path(report_path)
        report_path.parent.mkdir(parents=True, exist_ok=True)
        png = draw_articulation(report_path.with_suffix(".png"), classes, np.array(meter.openings), clone.space, clone.fps)
        report["articulation"]["plot"] = png.name
        report_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return report


def resampled_blocks(pcm: np.ndarray, rate: int, to_rate: int, block_s: float = RESAMPLE_BLOCK_S) -> Iterator[np.ndarray]:
    """pcm at to_rate, block by block, the same samples as resampling it whole
    (each block is filtered with enough context on both sides), so an hour of
    speech is never held twice over at 48 kHz."""
    g = math.gcd(rate, to_rate)
    up, down = to_rate // g, rate // g
    if up == down:
        yield from (pcm[a : a + int(block_s * rate)] for a in range(0, len(pcm), int(block_s * rate)))
        return
    # resample_poly's filter reaches 10 * max(up, down) output-rate taps each
    # side; context is that in input samples, whole multiples of `down` so the
    # polyphase grid of every block lines up with the whole signal's.
    context = down * math.ceil((10 * max(up, down) / up + 2) / down)
    step = down * max(1, int(block_s * rate) // down)
    for a in range(0, len(pcm), step):
        b = min(a + step, len(pcm))
        lo, hi = max(a - context, 0), min(b + context, len(pcm))
        out = resample(pcm[lo:hi], rate, to_rate)
        skip = (a - lo) * up // down
        yield out[skip : skip + math.ceil((b - a) * up / down)]
