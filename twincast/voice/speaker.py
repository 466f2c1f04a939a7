"""Speaker similarity: resemblyzer's embedding of a voice and the cosine between two.

Used to score voice matching (`voice eval`) and, at clone build, to choose how the
engine's voice is resynthesised for this person (voice.resynthesis_choice)."""

from __future__ import annotations

import functools

import numpy as np

from twincast.errors import TwincastError


@functools.lru_cache(maxsize=1)
def _encoder():
    from resemblyzer import VoiceEncoder

    return VoiceEncoder(device="cpu", verbose=False)


def speaker_embedding(audio_16k: np.ndarray) -> np.ndarray:
    from resemblyzer import preprocess_wav

    wav = preprocess_wav(np.asarray(audio_16k, np.float32), source_sr=16000)
    if len(wav) < 16000 // 2:
        raise TwincastError("too little speech to compare voices", "use a clip with a few seconds of speech")
    return _encoder().embed_utterance(wav)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def similarity(a_16k: np.ndarray, b_16k: np.ndarray) -> float:
    return cosine(speaker_embedding(a_16k), speaker_embedding(b_16k))
