"""WER/CER scoring and `voice eval` (voice.evaluation) on a synthetic person with a known voice."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from twincast.voice.asr import char_error_rate, word_error_rate

RATE = 24000


@pytest.mark.parametrize(
    "ref, hyp, expected",
    [
        ("Hello world", "hello, world!", 0.0),
        ("It costs $49 today.", "it costs forty-nine dollars today", 0.0),
        ("50% off", "fifty percent off", 0.0),
        ("one two three four", "one two four", 0.25),
        ("one two three four", "one two three four five", 0.25),
        ("one two", "", 1.0),
        ("", "", 0.0),
        ("Don't stop", "dont stop", 0.5),
        ("I have 2,500 items", "I have two thousand five hundred items", 0.0),
    ],
)
def test_word_error_rate(ref, hyp, expected):
    assert word_error_rate(ref, hyp) == pytest.approx(expected)


@pytest.mark.parametrize(
    "ref, hyp, expected",
    [
        ("今天只要十二元。", "今天只要12元", 0.0),
        ("欢迎来到直播间！", "歡迎來到直播間", 0.0),
        ("欢迎来到直播间", "欢迎来到直播", 1 / 7),
        ("你好", "你们好", 0.5),
        ("你好，世界", "你好 世界", 0.0),
    ],
)
def test_char_error_rate(ref, hyp, expected):
    assert char_error_rate(ref, hyp) == pytest.approx(expected)


@pytest.fixture(scope="module")
def synthetic_person(tmp_path_factory):
    """~20 s of a 'person': English engine speech made lower, with a longer vocal tract and a
    darker microphone, by WORLD. Matching must undo part of that, so similarity must rise."""
    from twincast.voice.matching import Plan, apply_plan
    from twincast.voice.stream import Voice, speak_all

    text = (
        "Good morning and thank you for joining. Today we look at three products for the kitchen. "
        "First a steel pan that heats evenly and cleans in seconds. Then a set of wooden spoons made by hand. "
        "Finally a small scale that weighs up to five kilograms. I will show each one and answer your questions. "
        "Let us start with the pan, which is my favourite of the three."
    )
    pcm, _ = speak_all(Voice(), text, "en")
    tilt_db = np.linspace(3, -9, 513)  # a darker channel: high frequencies down
    person = apply_plan(pcm, Plan(0.0, np.log2(0.75), 1.2, 0.93, 10 ** (tilt_db / 10), 1024, 1.0))
    path = tmp_path_factory.mktemp("person") / "person.wav"
    sf.write(path, person, RATE)
    return path


def test_evaluate_voice_on_a_synthetic_person(synthetic_person, capsys):
    from twincast.voice.evaluation import evaluate_voice

    steps: list[str] = []
    result = evaluate_voice(synthetic_person, 0.6, steps.append, wer_repeats=1)
    assert capsys.readouterr().out == ""  # the CLI prints the JSON; evaluation prints nothing
    assert {"clip", "lang", "base_similarity", "matched_similarity", "base_wer", "matched_wer", "rtf", "first_chunk_ms"} <= set(result)
    assert result["clip"] == "person.wav" and result["lang"] == "en" and result["wer_metric"] == "wer"
    for key in ("base_similarity", "matched_similarity", "base_wer", "matched_wer", "rtf", "first_chunk_ms", "matching_rtf"):
        assert isinstance(result[key], float), key
    assert result["matched_similarity"] > result["base_similarity"]
    assert result["resynthesis"] in ("psola", "world")
    assert result["matched_wer"] <= result["base_wer"] + 0.1
    assert result["wer_units"] > 100  # the tail's text and the passage: one word is < 1 point
    assert 0 < result["rtf"] < 1.5 and 0 < result["first_chunk_ms"] < 5000
    assert steps


@pytest.mark.shared_footage
@pytest.mark.slow
def test_evaluate_voice_on_real_footage():
    from conftest import shared_clip

    from twincast.voice.evaluation import evaluate_voice

    result = evaluate_voice(shared_clip("en_obama_20s.mp4"), 0.7, None)
    assert result["lang"] == "en"
    assert result["matched_similarity"] > result["base_similarity"]
