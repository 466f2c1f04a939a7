"""The voice matcher's plans are made at clone build, so a room never measures an engine mid-line."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from twincast.voice import matching
from twincast.voice.plan_file import PLANS_FILE, load_plans
from twincast.voice.profile import VoiceProfile
from twincast.voice.resynthesis_choice import picked
from twincast.voice.voice_setup import make_voice

MIXED = "这款 Bluetooth 音箱只要八十九块九。"


@pytest.fixture()
def measured(monkeypatch):
    """Every language the engines' statistics are measured for, in order (the cached measurement still runs)."""
    langs: list[str] = []
    real = matching.engine_profile

    def counting(lang: str, resynthesis: str | None = None):  # noqa: ANN202
        langs.append(lang)
        return real(lang, resynthesis)

    monkeypatch.setattr(matching, "engine_profile", counting)
    return langs


def test_a_built_clone_carries_every_languages_plan(clone_dir):
    stored = load_plans(clone_dir)
    assert stored is not None and set(stored.plans) == set(matching.ENGINE_SENTENCES)
    for lang, plan in stored.plans.items():
        assert len(plan.eq) == plan.fft_size // 2 + 1 and np.all(plan.eq > 0)
        assert stored.engine_syllables_per_s[lang] > 0
        # chosen at build on the footage's speech: both resyntheses scored, the rule applied
        assert set(stored.similarity[lang]) == set(matching.RESYNTHESES)
        assert plan.resynthesis == picked(stored.similarity[lang], matching.RESYNTHESIS[lang])
        reported = json.loads((clone_dir / "report.json").read_text())["voice"]["resynthesis"][lang]
        assert reported == {"chosen": plan.resynthesis, "similarity": stored.similarity[lang]}
    # what was saved is what the matcher makes for this person (same engine measurement in this
    # process; the profile file keeps its envelope to 0.01 dB, hence the tolerance)
    fresh = matching.calibrated_plan(VoiceProfile.load(clone_dir), "en", resynthesis=stored.plans["en"].resynthesis)
    assert fresh.fft_size == stored.plans["en"].fft_size and np.allclose(fresh.eq, stored.plans["en"].eq, rtol=1e-3)
    assert (fresh.warp, fresh.spread, fresh.gain) == pytest.approx((stored.plans["en"].warp, stored.plans["en"].spread, stored.plans["en"].gain), rel=1e-3)


def test_a_room_voice_speaks_both_languages_without_measuring(clone_dir, measured):
    voice = make_voice(None, clone_dir, live=True)
    chunks = list(voice.stream(MIXED, "zh"))
    assert {c.lang for c in chunks} == {"zh", "en"}
    assert measured == []  # no engine statistics, neither at start nor mid-line


def test_a_clone_without_plans_measures_them_before_the_first_word(clone_dir, tmp_path, measured):
    old = tmp_path / "old"
    shutil.copytree(clone_dir, old)
    (old / PLANS_FILE).unlink()  # built before plans were saved
    voice = make_voice(None, old, live=True)
    assert sorted(set(measured)) == sorted(matching.ENGINE_SENTENCES)
    before = len(measured)
    list(voice.stream(MIXED, "zh"))
    assert len(measured) == before  # nothing left to measure mid-line


def test_plans_remade_after_an_upgrade_keep_the_persons_resynthesis(clone_dir, tmp_path):
    """A room re-makes stale plans without the footage: it must not fall back to the defaults."""
    old = tmp_path / "old"
    shutil.copytree(clone_dir, old)
    path = old / PLANS_FILE
    data = json.loads(path.read_text())
    data["made_with"]["packages"]["piper-tts"] = "0.0.1"
    flipped = {lang: "world" if d["resynthesis"] == "psola" else "psola" for lang, d in data["langs"].items()}
    for lang, resynthesis in flipped.items():
        data["langs"][lang]["resynthesis"] = resynthesis
    path.write_text(json.dumps(data))
    assert load_plans(old) is None
    voice = make_voice(None, old, live=True)
    assert {lang: voice.transform.plan(lang).resynthesis for lang in flipped} == flipped


@pytest.mark.parametrize(
    ("similarity", "default", "expected"),
    [
        ({"psola": 0.668, "world": 0.736}, "psola", "world"),  # en_man_vlog: WORLD clearly closer
        ({"psola": 0.659, "world": 0.645}, "psola", "psola"),  # the unseen voice
        ({"psola": 0.718, "world": 0.732}, "world", "world"),  # zh_woman: the default is also closer
        ({"psola": 0.640, "world": 0.655}, "psola", "psola"),  # closer by less than the margin: the default
        ({"psola": 0.760, "world": 0.700}, "world", "psola"),  # the other way round, clearly
    ],
)
def test_a_resynthesis_other_than_the_default_must_be_clearly_closer(similarity, default, expected):
    assert picked(similarity, default) == expected


def test_too_little_speech_keeps_the_default_unscored(clone_dir):
    from twincast.voice.resynthesis_choice import chosen_plan, person_embedding

    assert person_embedding(np.zeros(16000 * 2, np.float32)) is None
    choice = chosen_plan(VoiceProfile.load(clone_dir), None, "en")
    assert choice.similarity == {} and choice.plan.resynthesis == matching.RESYNTHESIS["en"]


def test_the_stamp_names_installed_packages():
    from twincast.voice.plan_file import stamp

    assert all(stamp()["packages"].values())  # a misspelt name would read None on every machine


@pytest.mark.parametrize("damage", ["stale", "garbled", "short_eq"])
def test_plans_from_other_engines_or_damaged_are_not_used(clone_dir, tmp_path, damage):
    old = tmp_path / "old"
    shutil.copytree(clone_dir, old)
    path = old / PLANS_FILE
    data = json.loads(path.read_text())
    if damage == "stale":
        data["made_with"]["packages"]["piper-tts"] = "0.0.1"
        path.write_text(json.dumps(data))
    elif damage == "garbled":
        path.write_text(path.read_text()[:200])
    else:
        data["langs"]["en"]["eq"] = data["langs"]["en"]["eq"][:10]
        path.write_text(json.dumps(data))
    assert load_plans(old) is None


def test_withdrawal_deletes_the_plans(clone_dir, tmp_path):
    import datetime as dt

    from twincast.trust.withdrawal import withdraw

    clone = tmp_path / "clone"
    shutil.copytree(clone_dir, clone)
    withdraw(clone, "test", dt.datetime(2026, 11, 27, tzinfo=dt.timezone.utc), grace_s=0.0)
    assert sorted(p.name for p in clone.iterdir()) == ["WITHDRAWN.json", "manifest.json"]


class _Plugin:
    """An engine that is not the one the plans were measured on (a voice-cloning server, flite)."""

    name = "cosyvoice"
    langs = ("en",)

    def __init__(self) -> None:
        import threading

        self.lock = threading.Lock()
        self.speeds: list[float] = []

    def synthesize(self, text, lang, speed=1.0):  # noqa: ANN001, ANN201
        from twincast.voice.speech import Piece

        self.speeds.append(speed)
        t = np.arange(24000) / 24000
        return Piece((0.3 * np.sin(2 * np.pi * 140 * t) * (1 + np.sin(2 * np.pi * 3 * t))).astype(np.float32), 24000, [])


def test_the_persons_voice_is_applied_to_the_measured_engines_only(clone_dir):
    from twincast.voice.stream import MATCHED_ENGINES, embedded_engines

    assert {lang: e.name for lang, e in embedded_engines().items()} == MATCHED_ENGINES
    voice = make_voice(None, clone_dir)
    assert voice.transform is not None and set(voice.lang_speed) == {"zh", "en"} and voice.lang_speed["en"] != 1.0
    plugin = _Plugin()
    voice.engines["en"] = plugin
    chunks = [c for c in voice.stream("Hello there.", "en") if c.engine == "cosyvoice"]
    assert plugin.speeds == [1.0]  # not the person's pace measured against piper
    raw = plugin.synthesize("", "en").pcm
    assert np.array_equal(np.concatenate([c.pcm for c in chunks])[: len(raw)], raw)  # nor piper's transform
