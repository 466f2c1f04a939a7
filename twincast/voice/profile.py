"""What the person's voice sounds like, measured from the footage's audio.

The profile holds only numbers the matcher (voice.matching) can move an engine
voice toward: pitch level and range, speaking rate, formants, the mean
spectral envelope and loudness. It is measured the same way on the person and
on each engine (matching.engine_profile), so measurement bias cancels in the
ratios the matcher uses. Footage that is silent, music, or has too little
speech gives `usable=False` with a reason, and the base voice is kept."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from twincast.voice.stream import resample

PROFILE_FILE = "voice_profile.json"
ANALYSIS_RATE_HZ = 24000  # the engines' output rate: envelopes compare bin for bin
FFT_SIZE = 512  # WORLD CheapTrick size at 24 kHz; the matcher uses the same (speed, see matching.py)
FRAME_MS = 5.0
F0_FLOOR_HZ, F0_CEIL_HZ = 60.0, 500.0
MIN_SPEECH_S = 4.0  # less than this says little about a voice (and the WER/envelope stats get noisy)
SILENT_DBFS = -55.0


@dataclass
class VoiceProfile:
    usable: bool
    reason: str = ""
    speech_s: float = 0.0
    f0_median_hz: float = 0.0
    f0_p5_hz: float = 0.0
    f0_p95_hz: float = 0.0
    f0_range_st: float = 0.0  # p5..p95 in semitones
    f0_sd_st: float = 0.0  # robust (IQR / 1.349) spread of log F0, semitones
    voiced_fraction: float = 0.0  # of speech time
    syllables_per_s: float = 0.0  # syllable nuclei per second of speech
    formants_hz: list[float] = field(default_factory=list)  # F1..F3 medians over voiced speech
    loudness_dbfs: float = -99.0  # RMS of speech
    envelope_db: list[float] = field(default_factory=list)  # mean log envelope, FFT_SIZE//2+1 bins at 24 kHz, 0 dB mean

    def save(self, directory: Path) -> Path:
        path = Path(directory) / PROFILE_FILE
        data = asdict(self)
        data["envelope_db"] = [round(v, 2) for v in self.envelope_db]
        path.write_text(json.dumps(data, indent=1))
        return path

    @classmethod
    def load(cls, directory: Path) -> VoiceProfile | None:
        path = Path(directory) / PROFILE_FILE
        if not path.exists():
            return None
        data = json.loads(path.read_text())
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def _speech_spans(audio16: np.ndarray) -> list[tuple[int, int]]:
    """Silero VAD spans in 16 kHz samples (the model ships in faster-whisper)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    if len(audio16) < 1600:
        return []
    spans = get_speech_timestamps(
        np.asarray(audio16, np.float32),
        VadOptions(threshold=0.5, min_silence_duration_ms=150, speech_pad_ms=30, min_speech_duration_ms=100),
    )
    return [(s["start"], s["end"]) for s in spans]


def speech_only(audio: np.ndarray, rate: int) -> np.ndarray:
    """The speech parts of the audio, joined (pauses and silence dropped)."""
    audio16 = resample(np.asarray(audio, np.float32), rate, 16000)
    parts = [audio[int(a * rate / 16000) : int(b * rate / 16000)] for a, b in _speech_spans(audio16)]
    return np.concatenate(parts).astype(np.float32) if parts else np.zeros(0, np.float32)


def world_f0(x: np.ndarray, rate: int, frame_ms: float = FRAME_MS, speed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """DIO + StoneMask: the fast WORLD pitch tracker, also used by the matcher."""
    import pyworld as pw

    x64 = np.ascontiguousarray(x, np.float64)
    f0, t = pw.dio(x64, rate, f0_floor=F0_FLOOR_HZ, f0_ceil=F0_CEIL_HZ, frame_period=frame_ms, speed=speed)
    return pw.stonemask(x64, f0, t, rate), t


def mean_envelope_db(x: np.ndarray, f0: np.ndarray, t: np.ndarray, rate: int = ANALYSIS_RATE_HZ) -> np.ndarray:
    """Mean CheapTrick log envelope of the voiced frames, each frame level-normalised
    first so loud syllables do not dominate; 0 dB mean so it is a shape, not a gain."""
    import pyworld as pw

    voiced = f0 > 0
    if voiced.sum() < 10:
        return np.zeros(FFT_SIZE // 2 + 1)
    sp = pw.cheaptrick(np.ascontiguousarray(x, np.float64), f0, t, rate, fft_size=FFT_SIZE)[voiced]
    db = 10 * np.log10(sp + 1e-12)
    db -= db.mean(axis=1, keepdims=True)
    env = db.mean(axis=0)
    return env - env.mean()


def _formants(x: np.ndarray, rate: int, f0_median: float) -> list[float]:
    """F1-F3 medians (Praat Burg) where the frame is voiced; the ceiling follows the pitch
    (5 kHz for low voices, 5.5 kHz for high ones), as Praat's manual advises."""
    import parselmouth

    snd = parselmouth.Sound(np.asarray(x, np.float64), sampling_frequency=rate)
    ceiling = 5500.0 if f0_median > 165 else 5000.0
    formant = snd.to_formant_burg(time_step=0.01, max_number_of_formants=5, maximum_formant=ceiling)
    pitch = snd.to_pitch_ac(time_step=0.01, pitch_floor=F0_FLOOR_HZ, pitch_ceiling=F0_CEIL_HZ)
    out = []
    times = formant.ts()
    voiced = np.array([pitch.get_value_at_time(tt) for tt in times])
    keep = np.isfinite(voiced) & (voiced > 0)
    for i in (1, 2, 3):
        vals = np.array([formant.get_value_at_time(i, tt) for tt in np.asarray(times)[keep]])
        vals = vals[np.isfinite(vals)]
        out.append(float(np.median(vals)) if len(vals) else 0.0)
    return out


def syllable_nuclei(x: np.ndarray, rate: int) -> int:
    """Syllable nuclei after de Jong & Wempe (2009): intensity peaks that stand above
    the median, are separated by a dip of 2 dB, and are voiced."""
    import parselmouth

    if len(x) < rate // 10:
        return 0
    snd = parselmouth.Sound(np.asarray(x, np.float64), sampling_frequency=rate)
    intensity = snd.to_intensity(minimum_pitch=50.0, time_step=0.01)
    db = intensity.values[0]
    times = intensity.xs()
    pitch = snd.to_pitch_ac(time_step=0.01, pitch_floor=F0_FLOOR_HZ, pitch_ceiling=F0_CEIL_HZ)
    floor = np.median(db)
    peaks = [i for i in range(1, len(db) - 1) if db[i] > db[i - 1] and db[i] >= db[i + 1] and db[i] > floor]
    count, last = 0, None
    for i in peaks:
        f = pitch.get_value_at_time(times[i])
        if not (np.isfinite(f) and f > 0):
            continue
        if last is not None and db[last:i + 1].min() > min(db[last], db[i]) - 2.0:
            if db[i] > db[last]:
                last = i  # the same syllable: keep its stronger peak
            continue
        count += 1
        last = i
    return count


def _dbfs(x: np.ndarray) -> float:
    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if len(x) else 0.0
    return 20 * math.log10(rms) if rms > 0 else -99.0


def pitch_fields(voiced_hz: np.ndarray) -> dict[str, float]:
    """A profile's pitch statistics from the F0 of its voiced frames (Hz)."""
    q5, q25, q50, q75, q95 = np.percentile(12 * np.log2(voiced_hz), [5, 25, 50, 75, 95])
    return {
        "f0_median_hz": round(float(2 ** (q50 / 12)), 2),
        "f0_p5_hz": round(float(2 ** (q5 / 12)), 2),
        "f0_p95_hz": round(float(2 ** (q95 / 12)), 2),
        "f0_range_st": round(float(q95 - q5), 2),
        "f0_sd_st": round(float((q75 - q25) / 1.349), 2),
    }


def extract_profile(audio: np.ndarray, rate: int) -> VoiceProfile:
    """The person's voice profile from mono float audio at any rate."""
    audio = np.asarray(audio, np.float32)
    x = resample(audio, rate, ANALYSIS_RATE_HZ)
    if _dbfs(x) < SILENT_DBFS:
        return VoiceProfile(False, f"the audio is silent ({_dbfs(x):.0f} dBFS)")
    speech = speech_only(x, ANALYSIS_RATE_HZ)
    speech_s = len(speech) / ANALYSIS_RATE_HZ
    if speech_s < MIN_SPEECH_S:
        kind = "no speech found (music or noise?)" if speech_s < 0.5 else f"only {speech_s:.1f} s of speech"
        return VoiceProfile(False, f"{kind}; the voice needs {MIN_SPEECH_S:.0f} s", speech_s=speech_s)
    f0, t = world_f0(speech, ANALYSIS_RATE_HZ)
    voiced = f0[f0 > 0]
    voiced_fraction = len(voiced) / max(len(f0), 1)
    nuclei = syllable_nuclei(speech, ANALYSIS_RATE_HZ)
    rate_sps = nuclei / speech_s
    if len(voiced) < 50:
        return VoiceProfile(False, "no voiced speech found (whisper, noise or music?)", speech_s=speech_s)
    q25, q75 = np.percentile(12 * np.log2(voiced), [25, 75])
    # Music (a held tone, sung notes, a chord) fools the VAD now and then; speech has a
    # syllable rhythm (~2-7/s), unvoiced consonants and a moving pitch. Thresholds leave
    # a wide margin around the 3 real clips (3-5 syllables/s, 45-70 % voiced, 2-4 st spread).
    if rate_sps < 1.0 or voiced_fraction > 0.93 or (q75 - q25) < 0.3:
        return VoiceProfile(
            False,
            f"this sounds like music or a held tone, not speech ({rate_sps:.1f} syllables/s, {voiced_fraction:.0%} voiced)",
            speech_s=speech_s,
        )
    pitch = pitch_fields(voiced)
    med = pitch["f0_median_hz"]
    return VoiceProfile(
        usable=True,
        speech_s=round(speech_s, 2),
        **pitch,
        voiced_fraction=round(voiced_fraction, 3),
        syllables_per_s=round(rate_sps, 2),
        formants_hz=[round(f, 1) for f in _formants(speech, ANALYSIS_RATE_HZ, med)],
        loudness_dbfs=round(_dbfs(speech), 2),
        envelope_db=[float(v) for v in mean_envelope_db(speech, f0, t)],
    )
