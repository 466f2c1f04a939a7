"""Build the Voice a command or a room speaks with: engine choice, fallbacks,
and the person's voice profile when the clone has a usable one (pitch,
formants and spectral shape moved toward theirs; speaking rate matched per
language), applied to the embedded engines it was measured on."""

from __future__ import annotations

import logging
from pathlib import Path

from twincast.voice.engines.registry import voice_for
from twincast.voice.stream import OUTPUT_RATE_HZ, Voice

log = logging.getLogger(__name__)


def make_voice(engine: str | None = None, profile_dir: Path | None = None, rate: int = OUTPUT_RATE_HZ, lang: str | None = None, live: bool = False) -> Voice:
    """`live`: a room cannot wait mid-line, so when the clone has no saved plans (built
    before they were saved, or by other engine versions) every language's plan is made
    here, before the first word, instead of when the language is first spoken."""
    options: dict = {"rate": rate}
    if profile_dir is not None:
        from twincast.voice.matching import ENGINE_SENTENCES, Matcher, speed_for
        from twincast.voice.plan_file import chosen_resynthesis, load_plans
        from twincast.voice.profile import VoiceProfile

        profile = VoiceProfile.load(Path(profile_dir))
        if profile is not None and profile.usable:
            stored = load_plans(Path(profile_dir))
            if stored is not None:
                transform = Matcher(profile, plans=stored.plans)
            else:  # re-made through the resynthesis the build chose for this person, if it saved one
                transform = Matcher(profile, resynthesis=chosen_resynthesis(Path(profile_dir)))
            if stored is None and live:
                log.info("%s has no voice plans for these engines; measuring them now (a few seconds a language)", profile_dir)
                transform.prepare()
            options["transform"] = transform
            # Every language's pace where its engine figures are known (saved, or measured just
            # now with the plans); otherwise only the asked language's, as that one is measured.
            langs = tuple(ENGINE_SENTENCES) if stored is not None or live else tuple({lang} & set(ENGINE_SENTENCES))
            engine_rates = stored.engine_syllables_per_s if stored is not None else {}
            options["lang_speed"] = {code: speed_for(profile, code, engine_rates.get(code)) for code in langs}
    return voice_for(engine, **options)
