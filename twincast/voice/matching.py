"""Move an engine voice toward the person's: a length-preserving transform.

One plan per language, from the person's profile and the engine's:
  - pitch: log-F0 moved to the person's mean and spread (pitch level and liveliness),
  - formants: the envelope's frequency axis scaled by the person/engine formant ratio
    (vocal-tract length),
  - timbre: an equaliser for the remaining difference between the two mean envelopes
    (and the footage's microphone and room).
Two resyntheses carry it out: Praat's PSOLA for the pitch, which re-spaces the engine's own
periods, then the formants and equaliser as a time-varying STFT filter; or WORLD analysis and
resynthesis. Each language has a default (RESYNTHESIS: PSOLA for English, WORLD for Mandarin).
WORLD's vocoder cost a real English voice's fast, clipped telephone prompts 3-10 words in 35
that PSOLA and the filter keep, while on the Mandarin voice it moves similarity further at no
measurable cost; on footage filmed on a phone WORLD's rougher voice is the closer one, so a
clone build chooses per person where it has their speech (voice.resynthesis_choice,
docs/BENCHMARKS.md).

The engine's own statistics are measured from the engine (fixed sentences, same code as the
person's profile) once per process, never guessed. What this cannot do: change the voice's
identity beyond pitch, formant scale and spectral tilt (breathiness, accent, rhythm of a
phrase stay the engine's), or make a convincing cross-gender voice. Chunk edges fade from
the original samples into the transformed ones over 8 ms, so consecutive chunks of one
clause join without a click (the original is continuous there)."""

from __future__ import annotations

import functools
import threading
import time
from dataclasses import dataclass, replace

import numpy as np
import scipy.signal

from twincast.voice.profile import ANALYSIS_RATE_HZ, FFT_SIZE, VoiceProfile, extract_profile, pitch_fields, world_f0
from twincast.voice.stream import resample

FRAME_MS = 5.0  # WORLD's frames
FILTER_HOP_MS = 10.0  # the envelope filter's frames and STFT hop
# The filter's envelope and STFT: CheapTrick needs 3 pitch periods in its window, 1,024 points at
# 24 kHz cover F0 >= 70 Hz (piper joe dips to ~100 Hz).
FILTER_FFT = 1024
PSOLA_STEP_S = 0.01  # Praat's pitch analysis step for the manipulation
APERIODICITY_EVERY = 8  # WORLD resynthesis: D4C every 40 ms, interpolated (it changes slowly)
# How each language's engine voice is resynthesised unless a clone build chose otherwise for its
# person (docs/BENCHMARKS.md, issue 3). PSOLA + filter keeps piper's fast consonants that WORLD's
# vocoder blurred (the unseen voice's prompts: 3-10 words in 35); on the Mandarin voice WORLD
# moved similarity +0.056..+0.062 at +1.1 CER, PSOLA + filter only +0.040..+0.043 at +2.2.
RESYNTHESIS = {"en": "psola", "zh": "world"}
RESYNTHESES = ("psola", "world")
PITCH_RANGE_HZ = (60.0, 500.0)
EDGE_MS = 8.0
MIN_CHUNK_S = 0.06  # shorter chunks (a breath, a click) are passed through
EQ_LIMIT_DB = 9.0  # +-12 dB: WER up to +3.0..4.8 on obama; +-6 dB: WER within +2.7 everywhere but tedlieu similarity only +0.042
WARP_LIMITS = (0.9, 1.12)  # beyond this vowels blur (ASR errors rose on the 3 English clips)
SPREAD_LIMITS = (0.75, 1.25)
SPEED_LIMITS = (0.8, 1.25)
LIMIT_KNEE = 0.9  # -0.9 dBFS: above it peaks bend toward full scale instead of clipping
CALIBRATION_S = 4.0  # of the engine's speech, to set the transform's level (~0.15 s of CPU once a language)

# Fixed sentences the engine's statistics are measured on: ~20 s each, varied vowels.
ENGINE_SENTENCES = {
    "en": (
        "Good evening everyone, and welcome back to the live show. Today I have three things for you. "
        "The first is a light rain jacket that folds into its own pocket. It comes in blue, green and a deep red. "
        "The second one is a pair of walking shoes with a soft sole, good for long days in the city. "
        "And finally, a small speaker that plays music for twelve hours on one charge. "
        "If you have a question about sizes or delivery, just type it in the chat and I will answer."
    ),
    "zh": (
        "大家晚上好，欢迎回到我们的直播间。今天给大家带来三款好物。第一款是一件轻薄的防雨外套，"
        "可以折叠收进自己的口袋里，有蓝色、绿色和深红色三种颜色。第二款是一双软底的步行鞋，"
        "适合在城市里走一整天。最后是一个小音箱，充一次电可以连续播放十二个小时。"
        "如果您对尺码或者发货有任何问题，请在评论区留言，我会一一回答。"
    ),
}


@functools.lru_cache(maxsize=4)
def engine_speech(lang: str) -> np.ndarray:
    """The embedded engine reading its fixed sentences, at the analysis rate, once per process."""
    from twincast.voice.stream import Voice, speak_all

    pcm, _ = speak_all(Voice(), ENGINE_SENTENCES[lang], lang)
    return resample(pcm, Voice().rate, ANALYSIS_RATE_HZ)


def psola_f0(x: np.ndarray) -> np.ndarray:
    """F0 of the voiced frames (Hz) as Praat's tracker reads them: the one PSOLA's pitch tier comes from."""
    import parselmouth

    f0 = parselmouth.Sound(np.asarray(x, np.float64), ANALYSIS_RATE_HZ).to_pitch(PSOLA_STEP_S, *PITCH_RANGE_HZ).selected_array["frequency"]
    return f0[f0 > 0]


def resynthesis_for(lang: str) -> str:
    """How a language's engine voice is resynthesised when nothing was chosen for the person."""
    return RESYNTHESIS.get(lang, "psola")


@functools.lru_cache(maxsize=4)
def _engine_measured(lang: str) -> VoiceProfile:
    return extract_profile(engine_speech(lang), ANALYSIS_RATE_HZ)


def engine_profile(lang: str, resynthesis: str | None = None) -> VoiceProfile:
    """The embedded engine's own profile for a language, measured once per process, its pitch
    read by the tracker the resynthesis moves (DIO for WORLD, Praat's for PSOLA; the language's
    default when None). The English engine's voice (piper joe) is period-doubled: DIO reads it
    at ~160 Hz, Praat at ~89 Hz, where the real voices of the footage read the same to both
    (within 4 %). Mapped from DIO's reading, PSOLA's tier went an octave too far down (tedlieu's
    116 Hz came out at 72 Hz)."""
    return _engine_profile(lang, resynthesis or resynthesis_for(lang))


@functools.lru_cache(maxsize=8)
def _engine_profile(lang: str, resynthesis: str) -> VoiceProfile:
    # keyed by the resolved resynthesis: the default asked for by None is not tracked twice
    profile = _engine_measured(lang)
    if resynthesis == "psola":
        profile = replace(profile, **pitch_fields(psola_f0(engine_speech(lang))))
    return profile


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def level_calibrated(plan: Plan, speech: np.ndarray) -> Plan:
    """The plan with its gain set so the transform leaves the engine's level where it was,
    measured on the first seconds of the engine's own speech. Moving pitch and envelope changes
    the level a resynthesis gives, and the equaliser is centred on a mean envelope, not on this
    speech: uncorrected, matched speech came out up to 3.4 dB louder (tedlieu) and clipped."""
    sample = speech[: round(CALIBRATION_S * ANALYSIS_RATE_HZ)]
    before, after = _rms(sample), _rms(apply_plan(sample, replace(plan, gain=1.0)))
    if before <= 0 or after <= 0:
        return plan
    return replace(plan, gain=plan.gain * before / after)


@dataclass(frozen=True)
class Plan:
    """Everything the per-chunk transform needs for one language."""

    engine_lf0: float  # log2 Hz
    person_lf0: float
    spread: float  # person / engine log-F0 spread
    warp: float  # envelope frequency scale (>1 moves formants up)
    eq: np.ndarray  # power gain per CheapTrick bin (fft_size // 2 + 1)
    fft_size: int
    gain: float  # linear output gain (1 unless loudness matching is on)
    resynthesis: str = "psola"  # or "world": see RESYNTHESIS


def _warp_axis(values: np.ndarray, alpha: float) -> np.ndarray:
    """values(f / alpha) on the same bins: features at f move to alpha * f. Last axis is frequency."""
    bins = np.arange(values.shape[-1], dtype=np.float64)
    src = np.clip(bins / alpha, 0, values.shape[-1] - 1)
    lo = np.floor(src).astype(int)
    hi = np.minimum(lo + 1, values.shape[-1] - 1)
    w = src - lo
    return values[..., lo] * (1 - w) + values[..., hi] * w


def _smooth(db: np.ndarray, width: int = 7) -> np.ndarray:
    """Moving average over ~330 Hz: the equaliser follows the envelope's shape, not single bins."""
    kernel = np.ones(width) / width
    padded = np.pad(db, width // 2, mode="edge")
    return np.convolve(padded, kernel, mode="valid")


def level_change_db(envelope_db: np.ndarray, eq_db: np.ndarray) -> float:
    """How much louder the equaliser makes speech with this mean envelope. A zero-mean curve in
    dB is not level-neutral: speech power sits in the low bins, and band-limited footage (16 kHz
    audio, a codec's low-pass) reads as a cliff above which the whole curve is cut, so matched
    speech came out 8-9 dB louder than the engine's and clipped (0.2-0.3 % of samples)."""
    power = 10 ** (np.asarray(envelope_db) / 10)
    return float(10 * np.log10(np.sum(power * 10 ** (eq_db / 10)) / np.sum(power)))


def fft_size_for(engine: VoiceProfile, resynthesis: str) -> int:
    """CheapTrick needs a window of 3 pitch periods. For WORLD, 512 points at 24 kHz cover
    F0 >= 141 Hz and cost half of 1024: the high Mandarin voice loses nothing at 512."""
    if resynthesis == "world" and engine.f0_p5_hz >= 3 * ANALYSIS_RATE_HZ / (FFT_SIZE - 3):
        return FFT_SIZE
    return FILTER_FFT


def plan_for(person: VoiceProfile, engine: VoiceProfile, loudness: bool = False, resynthesis: str = "psola") -> Plan:
    ratios = [p / e for p, e in zip(person.formants_hz, engine.formants_hz) if p > 0 and e > 0]
    # F1 moves with vowel openness more than with the speaker: weigh F2 and F3 more.
    weights = [1.0, 2.0, 2.0][: len(ratios)]
    warp = float(np.exp(np.average(np.log(ratios), weights=weights))) if ratios else 1.0
    warp = float(np.clip(warp, *WARP_LIMITS))
    eq_db = np.zeros(FFT_SIZE // 2 + 1)
    if len(person.envelope_db) == len(eq_db) and len(engine.envelope_db) == len(eq_db):
        warped_engine = _warp_axis(np.asarray(engine.envelope_db), warp)
        eq_db = _smooth(np.asarray(person.envelope_db) - warped_engine)
        # Centred where the speech's power is, before the limit: the limit bounds the change of
        # shape, and band-limited footage's cliff would otherwise push every voiced band to it.
        eq_db = np.clip(eq_db - level_change_db(warped_engine, eq_db), -EQ_LIMIT_DB, EQ_LIMIT_DB)
    spread = person.f0_sd_st / engine.f0_sd_st if engine.f0_sd_st > 0 else 1.0
    fft = fft_size_for(engine, resynthesis)
    grid = np.linspace(0, 1, fft // 2 + 1)
    eq_db = np.interp(grid, np.linspace(0, 1, len(eq_db)), eq_db)
    gain = 10 ** (np.clip(person.loudness_dbfs - engine.loudness_dbfs, -6, 6) / 20) if loudness else 1.0
    return Plan(
        engine_lf0=float(np.log2(engine.f0_median_hz)),
        person_lf0=float(np.log2(person.f0_median_hz)),
        spread=float(np.clip(spread, *SPREAD_LIMITS)),
        warp=warp,
        eq=10 ** (eq_db / 10),
        fft_size=fft,
        gain=float(gain),
        resynthesis=resynthesis,
    )


def pitch_moved(x: np.ndarray, plan: Plan) -> np.ndarray:
    """The plan's log-F0 map by Praat's PSOLA: periods cut at the glottal pulses and laid out at
    the new spacing, so everything between the pulses (bursts, frication, the vowel's own
    spectrum) is the engine's original samples. WORLD's vocoder rebuilt them and cost the
    unseen voice 3-10 of 35 telephone-prompt words that PSOLA keeps (docs/BENCHMARKS.md)."""
    import parselmouth
    from parselmouth.praat import call

    manipulation = call(parselmouth.Sound(x, ANALYSIS_RATE_HZ), "To Manipulation", PSOLA_STEP_S, *PITCH_RANGE_HZ)
    tier = call(manipulation, "Extract pitch tier")
    if call(tier, "Get number of points") == 0:
        return x  # nothing voiced: nothing to move
    call(tier, "Formula", f"2 ^ ({float(plan.person_lf0)!r} + {float(plan.spread)!r} * (log2(self) - {float(plan.engine_lf0)!r}))")
    call([tier, manipulation], "Replace pitch tier")
    y = call(manipulation, "Get resynthesis (overlap-add)").values[0]
    return np.pad(y, (0, max(0, len(x) - len(y))))[: len(x)]


def envelope_filtered(x: np.ndarray, plan: Plan) -> np.ndarray:
    """The plan's formant warp and equaliser as a time-varying filter on the STFT: per frame the
    gain that would turn CheapTrick's envelope into the warped, equalised one. Phases and
    anything the envelope does not describe stay as they were."""
    import pyworld as pw

    f0, t = world_f0(x, ANALYSIS_RATE_HZ, FILTER_HOP_MS, speed=4)
    log_sp = np.log(pw.cheaptrick(x, f0, t, ANALYSIS_RATE_HZ, fft_size=plan.fft_size) + 1e-16)
    gain = np.zeros_like(log_sp)
    if plan.warp != 1.0:
        gain += _warp_axis(log_sp, plan.warp) - log_sp
    bins = log_sp.shape[1]
    gain += np.interp(np.linspace(0, 1, bins), np.linspace(0, 1, len(plan.eq)), np.log(plan.eq))[None, :]
    hop = round(FILTER_HOP_MS * ANALYSIS_RATE_HZ / 1000)
    stft = dict(fs=ANALYSIS_RATE_HZ, nperseg=plan.fft_size, noverlap=plan.fft_size - hop)
    _, times, spectrum = scipy.signal.stft(x, **stft)
    frame = np.clip(np.round(times / (FILTER_HOP_MS / 1000)).astype(int), 0, len(gain) - 1)
    _, y = scipy.signal.istft(spectrum * np.exp(0.5 * gain[frame].T), **stft)  # power gain -> amplitude
    return np.pad(y, (0, max(0, len(x) - len(y))))[: len(x)]


def _between(frames: np.ndarray, every: int, n: int) -> np.ndarray:
    """n rows linearly interpolated from rows measured at 0, every, 2 * every, ..."""
    pos = np.arange(n) / every
    lo = np.minimum(pos.astype(int), len(frames) - 1)
    hi = np.minimum(lo + 1, len(frames) - 1)
    w = (pos - lo)[:, None]
    return frames[lo] * (1 - w) + frames[hi] * w


def world_resynthesized(x: np.ndarray, plan: Plan) -> np.ndarray:
    """WORLD analysis (DIO, CheapTrick, D4C), the plan's changes to F0 and envelope, resynthesis.
    5 ms frames: at 10 ms the engine's fast transitions smeared (Whisper's word error on
    unchanged speech through WORLD 4.4 -> 6.6-7.0 %, at 5 ms 4.9-5.2 %)."""
    import pyworld as pw

    f0, t = world_f0(x, ANALYSIS_RATE_HZ, FRAME_MS, speed=4)
    sp = pw.cheaptrick(x, f0, t, ANALYSIS_RATE_HZ, fft_size=plan.fft_size)
    k = APERIODICITY_EVERY
    ap = _between(pw.d4c(x, np.ascontiguousarray(f0[::k]), np.ascontiguousarray(t[::k]), ANALYSIS_RATE_HZ, fft_size=plan.fft_size), k, len(f0))
    voiced = f0 > 0
    new_f0 = np.zeros_like(f0)
    new_f0[voiced] = 2 ** (plan.person_lf0 + plan.spread * (np.log2(f0[voiced]) - plan.engine_lf0))
    if plan.warp != 1.0:
        sp = np.exp(_warp_axis(np.log(sp + 1e-16), plan.warp))
    # the warp's fancy indexing leaves a Fortran-ordered array; WORLD's C code needs C order
    y = pw.synthesize(new_f0, np.ascontiguousarray(sp * plan.eq[None, :]), np.ascontiguousarray(ap), ANALYSIS_RATE_HZ, FRAME_MS)
    return np.pad(y, (0, max(0, len(x) - len(y))))[: len(x)]


def apply_plan(pcm: np.ndarray, plan: Plan) -> np.ndarray:
    """The plan's pitch, formant and timbre changes (PSOLA + envelope filter, or WORLD as the
    plan says); 24 kHz in, same length out."""
    x = np.ascontiguousarray(pcm, np.float64)
    n = len(x)
    if n < MIN_CHUNK_S * ANALYSIS_RATE_HZ or not np.any(np.abs(x) > 1e-4):
        return pcm.astype(np.float32)
    if plan.resynthesis == "world":
        y = world_resynthesized(x, plan) * plan.gain
    else:
        y = envelope_filtered(pitch_moved(x, plan), plan) * plan.gain
    # Fade from the original into the transformed samples at both edges: chunks of one
    # clause are cut from continuous audio, so the joins stay continuous (no click).
    edge = min(int(EDGE_MS * ANALYSIS_RATE_HZ / 1000), n // 4)
    if edge > 0:
        ramp = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, edge))
        y[:edge] = x[:edge] * (1 - ramp) + y[:edge] * ramp
        y[-edge:] = x[-edge:] * ramp[::-1] + y[-edge:] * (1 - ramp[::-1])
    return soft_limited(y).astype(np.float32)


def soft_limited(y: np.ndarray) -> np.ndarray:
    """Samples below the knee unchanged, those above it bent smoothly under full scale.
    Resynthesis moves phases, so at the engine's level a peak can land higher than any
    of the engine's (piper's own peaks reach 0.98, and its noise varies them run to run): a
    hard clip there is audible and was seen in CI. Per sample, so chunks of one clause
    limit exactly as the whole clause would."""
    over = np.abs(y) - LIMIT_KNEE
    room = 1.0 - LIMIT_KNEE
    bent = np.sign(y) * (LIMIT_KNEE + room * np.tanh(np.maximum(over, 0.0) / room))
    return np.where(over > 0, bent, y)


def calibrated_plan(person: VoiceProfile, lang: str, loudness: bool = False, resynthesis: str | None = None) -> Plan:
    """The plan for one language through a resynthesis (the language's default when None), its
    level calibrated on the engine's own speech."""
    resynthesis = resynthesis or resynthesis_for(lang)
    plan = plan_for(person, engine_profile(lang, resynthesis), loudness, resynthesis)
    return level_calibrated(plan, engine_speech(lang))


class Matcher:
    """Voice.transform: (pcm, rate, lang) -> pcm of the same length. Plans come ready
    (saved with the clone: voice.plan_file) or are made per language on first use,
    which takes seconds (the engine's statistics): `prepare` does that up front. Plans
    made here go through the resynthesis chosen for the person at build, where known
    (`resynthesis`), else the language's default."""

    def __init__(
        self, profile: VoiceProfile, loudness: bool = False, plans: dict[str, Plan] | None = None, resynthesis: dict[str, str] | None = None
    ) -> None:
        self.profile = profile
        self.loudness = loudness
        self._plans: dict[str, Plan | None] = dict(plans or {})
        self._resynthesis = dict(resynthesis or {})
        self._lock = threading.Lock()
        self.seconds = 0.0  # CPU seconds spent transforming, for the RTF figure
        self.audio_s = 0.0

    def plan(self, lang: str) -> Plan | None:
        with self._lock:
            if lang not in self._plans:
                plan = None
                if self.profile.usable and lang in ENGINE_SENTENCES:
                    plan = calibrated_plan(self.profile, lang, self.loudness, self._resynthesis.get(lang))
                self._plans[lang] = plan
            return self._plans[lang]

    def prepare(self, langs: tuple[str, ...] = tuple(ENGINE_SENTENCES)) -> None:
        for lang in langs:
            self.plan(lang)

    def __call__(self, pcm: np.ndarray, rate: int, lang: str) -> np.ndarray:
        plan = self.plan(lang)
        if plan is None:
            return pcm
        start = time.thread_time()  # CPU time of this thread: stable when other processes share the cores
        x = resample(pcm, rate, ANALYSIS_RATE_HZ)
        y = apply_plan(x, plan)
        y = resample(y, ANALYSIS_RATE_HZ, rate)
        y = np.pad(y, (0, max(0, len(pcm) - len(y))))[: len(pcm)]
        self.seconds += time.thread_time() - start
        self.audio_s += len(pcm) / rate
        return y


def matcher(profile: VoiceProfile, loudness: bool = False) -> Matcher | None:
    """The transform for Voice.transform, or None when the profile is not usable (base voice)."""
    return Matcher(profile, loudness) if profile.usable else None


def speed_for(profile: VoiceProfile, lang: str, engine_syllables_per_s: float | None = None) -> float:
    """Voice.speed that brings the engine's syllable rate to the person's (clamped). The
    engine's rate is measured here unless given (saved with the clone's plans)."""
    if not profile.usable or profile.syllables_per_s <= 0 or lang not in ENGINE_SENTENCES:
        return 1.0
    if engine_syllables_per_s is None:
        engine_syllables_per_s = engine_profile(lang).syllables_per_s
    if engine_syllables_per_s <= 0:
        return 1.0
    return float(np.clip(profile.syllables_per_s / engine_syllables_per_s, *SPEED_LIMITS))
