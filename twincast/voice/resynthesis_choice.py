"""Which resynthesis carries a person's plan: the one that sounds closer to them.

Measured on the footage clips (docs/BENCHMARKS.md, issue 3): WORLD's vocoder brings the
engine's voice closer to people filmed on a phone (en_man_vlog +0.13 against PSOLA's
+0.04..+0.06 on the held-out speech) but costs a clean voice's fast words, where PSOLA
and the envelope filter keep them. The person's own training speech says what the held-out
speech says: the engine's fixed sentences through each resynthesis, compared with the
footage's speech by speaker embedding, put WORLD first for both phone-filmed clips and
PSOLA first for the unseen voice, as their held-out tails do (on obama and tedlieu the
tails read the two within noise). A build has that speech, so it chooses per person
and language.

A resynthesis other than the language's default (matching.RESYNTHESIS) is taken only
when it is closer by CHOICE_MARGIN: the defaults were set on intelligibility, which
this does not measure, and one take of the engine moves a similarity by ~0.01-0.03."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twincast.voice import matching
from twincast.voice.matching import Plan
from twincast.voice.profile import ANALYSIS_RATE_HZ, VoiceProfile
from twincast.voice.speaker import cosine, speaker_embedding
from twincast.voice.stream import resample

# The closest calls measured were 0.014 (the unseen voice, zh_woman); the clear ones 0.03-0.07
# (tedlieu 0.032, obama 0.057, en_man_vlog 0.068).
CHOICE_MARGIN = 0.03
MIN_SPEECH_S = 3.0  # less of the person's speech embeds too noisily to choose on


@dataclass(frozen=True)
class Choice:
    plan: Plan
    similarity: dict[str, float]  # per resynthesis: the engine's sentences through it against the person's speech


def person_embedding(speech_16k: np.ndarray) -> np.ndarray | None:
    """The embedding to choose on, from the person's speech (16 kHz, speech only); None when
    there is too little of it."""
    return speaker_embedding(speech_16k) if len(speech_16k) >= MIN_SPEECH_S * 16000 else None


def chosen_plan(person: VoiceProfile, target: np.ndarray | None, lang: str, loudness: bool = False) -> Choice:
    """The language's plan through the resynthesis closer to the person (`target`: their
    person_embedding), or through the default with no similarities when there is none."""
    default = matching.resynthesis_for(lang)
    if target is None:
        return Choice(matching.calibrated_plan(person, lang, loudness, default), {})
    engine = matching.engine_speech(lang)
    plans, scores = {}, {}
    for resynthesis in matching.RESYNTHESES:
        plans[resynthesis] = matching.calibrated_plan(person, lang, loudness, resynthesis)
        spoken = resample(matching.apply_plan(engine, plans[resynthesis]), ANALYSIS_RATE_HZ, 16000)
        scores[resynthesis] = round(cosine(target, speaker_embedding(spoken)), 4)
    return Choice(plans[picked(scores, default)], scores)


def picked(similarity: dict[str, float], default: str) -> str:
    best = max(similarity, key=similarity.__getitem__)
    return best if similarity[best] >= similarity[default] + CHOICE_MARGIN else default
