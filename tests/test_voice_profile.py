"""Voice profile (voice.profile) and voice matching (voice.matching) on audio with a known answer."""

from __future__ import annotations

import numpy as np
import pytest

from twincast.voice.matching import LIMIT_KNEE
from twincast.voice.profile import VoiceProfile, extract_profile, world_f0

RATE = 24000
TEXT = (
    "Hello and welcome to the shop. This week the blue rain jacket is on sale, and it folds into its own pocket. "
    "The walking shoes come in three colours. Ask me anything about sizes and delivery in the chat."
)


def semitones(a: float, b: float) -> float:
    return abs(12 * np.log2(a / b))


def pulse_vowel(f0: float, seconds: float = 2.0) -> np.ndarray:
    """A glottal-pulse-like source (harmonics falling 12 dB/octave) through two vowel resonances."""
    t = np.arange(int(seconds * RATE)) / RATE
    x = sum(np.sin(2 * np.pi * k * f0 * t) / k**2 * (1.5 if abs(k * f0 - 700) < 200 or abs(k * f0 - 1200) < 250 else 1.0) for k in range(1, int(5000 / f0)))
    return (0.3 * x / np.abs(x).max()).astype(np.float32)


@pytest.mark.parametrize("f0", [120.0, 220.0])
def test_world_pitch_of_a_pulse_train(f0):
    got, _ = world_f0(pulse_vowel(f0), RATE)
    assert semitones(float(np.median(got[got > 0])), f0) < 0.3


@pytest.fixture(scope="module")
def engine_speech() -> np.ndarray:
    from twincast.voice.stream import Voice, speak_all

    pcm, _ = speak_all(Voice(), TEXT, "en")
    return pcm


def with_pitch(pcm: np.ndarray, median_hz: float) -> np.ndarray:
    """Real speech re-pitched by WORLD to a known median (a +-2 semitone sway keeps it speech-like)."""
    import pyworld as pw

    x = pcm.astype(np.float64)
    f0, t = pw.dio(x, RATE, frame_period=5.0)
    f0 = pw.stonemask(x, f0, t, RATE)
    sp = pw.cheaptrick(x, f0, t, RATE)
    ap = pw.d4c(x, f0, t, RATE)
    target = median_hz * 2 ** (2 * np.sin(2 * np.pi * 1.3 * t) / 12)
    return pw.synthesize(np.where(f0 > 0, target, 0.0), sp, ap, RATE, 5.0).astype(np.float32)[: len(pcm)]


@pytest.mark.parametrize("f0", [120.0, 220.0])
def test_profile_gets_the_pitch_right(engine_speech, f0):
    profile = extract_profile(with_pitch(engine_speech, f0), RATE)
    assert profile.usable, profile.reason
    # piper's speech differs run to run (VITS samples noise), so which frames are voiced varies and
    # the median of a ±2-semitone vibrato moves a little with it: within a semitone is the claim.
    assert semitones(profile.f0_median_hz, f0) < 1.0
    # the vibrato spans 4 st; WORLD's frames at voicing edges widen p5..p95 (4.5-6.8 st at 120 Hz over six
    # syntheses, once 8.0): an octave error would show as 12+
    assert 2.0 < profile.f0_range_st < 9.0
    assert 1.5 < profile.syllables_per_s < 7.0
    assert 200 < profile.formants_hz[0] < profile.formants_hz[1] < profile.formants_hz[2] < 4000
    assert len(profile.envelope_db) == 257


def test_profile_at_another_rate_and_saved(engine_speech, tmp_path):
    from twincast.voice.stream import resample

    profile = extract_profile(resample(engine_speech, RATE, 16000), 16000)
    assert profile.usable
    assert VoiceProfile.load(tmp_path) is None
    profile.save(tmp_path)
    again = VoiceProfile.load(tmp_path)
    assert again.f0_median_hz == profile.f0_median_hz and len(again.envelope_db) == 257


def test_silence_is_not_a_voice():
    profile = extract_profile(np.zeros(RATE * 10, np.float32), RATE)
    assert not profile.usable and "silent" in profile.reason


def test_music_is_not_a_voice():
    """Chords changing every half second, with a bass line: no speech to learn from."""
    t = np.arange(RATE // 2) / RATE
    notes = [(261.6, 329.6, 392.0), (293.7, 370.0, 440.0), (246.9, 311.1, 370.0), (220.0, 277.2, 329.6)]
    music = np.concatenate([sum(np.sin(2 * np.pi * f * t) for f in chord + (chord[0] / 2,)) * np.exp(-2 * t) for chord in notes * 5])
    profile = extract_profile((0.2 * music).astype(np.float32), RATE)
    assert not profile.usable and profile.reason


def test_too_little_speech(engine_speech):
    profile = extract_profile(np.concatenate([engine_speech[: RATE * 2], np.zeros(RATE * 10, np.float32)]), RATE)
    assert not profile.usable and "speech" in profile.reason


# --- matching -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def person(engine_speech) -> VoiceProfile:
    """A lower, longer-tracted 'person' made from the engine itself: formants 8 % down by the
    matcher's own filter, the pitch set by WORLD to a median every tracker agrees on (the
    engine's own voice is period-doubled: DIO reads it an octave above Praat)."""
    from twincast.voice.matching import Plan, apply_plan

    longer_tract = Plan(0.0, 0.0, 1.0, 0.92, np.ones(513), 1024, 1.0)
    return extract_profile(with_pitch(apply_plan(engine_speech, longer_tract), 110.0), RATE)


def test_matching_keeps_length_and_edges(person, engine_speech):
    from twincast.voice.matching import matcher

    transform = matcher(person)
    for n in (0, 100, 1441, RATE // 3, RATE * 2 + 17):
        assert len(transform(engine_speech[:n], RATE, "en")) == n
    # two chunks cut from one clause join without a click: the jump at the join is
    # no bigger than the largest sample-to-sample step inside the chunks
    cut = RATE + 1234
    a, b = transform(engine_speech[:cut], RATE, "en"), transform(engine_speech[cut : cut + RATE], RATE, "en")
    inside = max(np.abs(np.diff(a)).max(), np.abs(np.diff(b)).max())
    assert abs(float(b[0]) - float(a[-1])) <= inside


def test_matching_toward_band_limited_footage_keeps_the_level(engine_speech):
    """Footage with 16 kHz audio has nothing above 8 kHz: its voice is matched, not made louder."""
    from twincast.voice.matching import matcher
    from twincast.voice.stream import resample

    low_passed = resample(resample(engine_speech, RATE, 16000), 16000, RATE)
    person = extract_profile(with_pitch(low_passed, 150.0), RATE)
    out = matcher(person)(engine_speech, RATE, "en")

    def rms_db(x: np.ndarray) -> float:
        return float(10 * np.log10(np.mean(np.square(x, dtype=np.float64))))

    assert abs(rms_db(out) - rms_db(engine_speech)) < 1.0
    # nothing clipped; piper's noise makes each take's peaks differ, and resynthesis can put
    # a few samples over full scale (1.29 seen): the limiter bends those few, no more
    assert np.abs(out).max() < 1.0
    assert np.mean(np.abs(out) > LIMIT_KNEE) < 1e-4


def test_limiter_bends_only_the_peaks():
    from twincast.voice.matching import soft_limited

    y = np.linspace(-2.0, 2.0, 40001)  # up to +6 dB over full scale
    out = soft_limited(y)
    quiet = np.abs(y) <= LIMIT_KNEE
    assert np.array_equal(out[quiet], y[quiet])
    assert np.abs(out).max() < 1.0 and np.all(np.diff(out) > 0)  # under full scale, order kept
    steps = np.abs(np.diff(out))
    assert steps.max() <= np.diff(y)[0] * 1.0001  # no jump at the knee: the curve's slope never passes 1


def test_unusable_profile_keeps_the_base_voice():
    from twincast.voice.matching import matcher, speed_for

    assert matcher(VoiceProfile(False, "silent")) is None
    assert speed_for(VoiceProfile(False, "silent"), "en") == 1.0


def test_mandarin_matching_moves_pitch_through_world():
    """The Mandarin voice is resynthesised by WORLD (matching.RESYNTHESIS): its pitch lands on the person's."""
    from twincast.voice.matching import matcher
    from twincast.voice.stream import Voice, speak_all

    voice = Voice()
    pcm, _ = speak_all(voice, "大家晚上好，欢迎回到我们的直播间。今天给大家带来三款好物，第一款是一件轻薄的防雨外套。", "zh")
    assert voice.rate == RATE
    person = extract_profile(with_pitch(pcm, 200.0), RATE)
    transform = matcher(person)
    assert transform.plan("zh").resynthesis == "world"
    got = extract_profile(transform(pcm, RATE, "zh"), RATE)
    assert semitones(extract_profile(pcm, RATE).f0_median_hz, 200.0) > 3.0  # the engine is well above it
    assert semitones(got.f0_median_hz, person.f0_median_hz) < 1.0


def test_matching_moves_pitch_and_keeps_words(person):
    from twincast.voice.asr import transcribe, word_error_rate
    from twincast.voice.matching import matcher, speed_for
    from twincast.voice.stream import Voice, resample, speak_all

    base = Voice()
    matched = Voice(engines=base.engines, transform=matcher(person), speed=speed_for(person, "en"))
    assert 0.8 <= matched.speed <= 1.25
    pcm, _ = speak_all(matched, TEXT, "en")
    got = extract_profile(pcm, RATE)
    assert semitones(got.f0_median_hz, person.f0_median_hz) < 1.0

    # piper samples noise, so two syntheses of one sentence differ; to judge the transform alone,
    # the same speech (at the matched speed) is transcribed before and after matching, over three
    # sentences so that one mis-heard word does not decide; no numbers or British spellings, which
    # Whisper writes its own way ("$40", "12", "colors") in either version and failed this test in CI
    sentences = [
        "The blue rain jacket folds into its own pocket and weighs almost nothing.",
        "Every order ships free within two days, and returns are free for a month.",
        "The walking shoes come in black, white and navy, with a soft rubber sole.",
        "Send me a message in the chat if you want to know more about the fabric.",
    ]
    at_speed = Voice(engines=base.engines, speed=matched.speed)
    words = sum(len(s.split()) for s in sentences)
    errors = {"base": 0.0, "matched": 0.0}
    for sentence in sentences:
        plain, _ = speak_all(at_speed, sentence, "en")
        for name, pcm_ in (("base", plain), ("matched", matched.transform(plain, RATE, "en"))):
            heard = transcribe(resample(pcm_, RATE, 16000), "en")
            errors[name] += word_error_rate(sentence, heard) * len(sentence.split())
    assert errors["matched"] / words <= errors["base"] / words + 0.1, (errors, words)
