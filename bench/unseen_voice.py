"""A voice no setting was tuned on: about a minute of Allison Smith's recorded speech.

The Debian package asterisk-core-sounds-en-g722 holds the Asterisk telephone prompts she
recorded (CC-BY-SA-3.0, 16 kHz G.722), many of them whole sentences. Prompts of 2.5 s or more,
in a fixed shuffled order, are joined with short pauses into one WAV in a temporary folder, so
voice matching can be measured on a real voice that is neither one of ../shared/footage nor
anything the project ships. Evaluation only: the audio never enters the repository.

    apt-get install asterisk-core-sounds-en-g722   # once; bench_voice.py --unseen uses it
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np

from twincast.media.audio import load_audio

PROMPTS = Path("/usr/share/asterisk/sounds/en_US_f_Allison")
PACKAGE = "asterisk-core-sounds-en-g722"
RATE = 16000
MIN_PROMPT_S = 2.5
PAUSE_S = 0.35


def unseen_voice_clip(out_dir: Path, seconds: float = 60.0) -> Path | None:
    """The joined WAV, or None when the package is not installed."""
    import soundfile as sf

    files = sorted(PROMPTS.glob("*.g722")) if PROMPTS.is_dir() else []
    if not files:
        return None
    random.Random(0).shuffle(files)
    pause = np.zeros(round(PAUSE_S * RATE), np.float32)
    parts: list[np.ndarray] = []
    total = 0
    for path in files:
        pcm = load_audio(path, RATE)
        if len(pcm) < MIN_PROMPT_S * RATE:
            continue
        parts += [pcm, pause]
        total += len(pcm) + len(pause)
        if total >= seconds * RATE:
            break
    out = Path(out_dir) / "unseen_en_allison.wav"
    sf.write(out, np.concatenate(parts), RATE, subtype="PCM_16")
    return out
