"""Build the Voice a command or a room speaks with: engine choice, fallbacks,
and the person's voice profile when the clone has a usable one (pitch,
formants and spectral shape moved toward theirs; speaking rate matched for
the main language)."""

from __future__ import annotations

from pathlib import Path

from twincast.voice.engines.registry import voice_for
from twincast.voice.stream import OUTPUT_RATE_HZ, Voice


def make_voice(engine: str | None = None, profile_dir: Path | None = None, rate: int = OUTPUT_RATE_HZ, lang: str | None = None) -> Voice:
    options: dict = {"rate": rate}
    if profile_dir is not None:
        from twincast.voice.matching import matcher, speed_for
        from twincast.voice.profile import VoiceProfile

        profile = VoiceProfile.load(Path(profile_dir))
        if profile is not None and profile.usable:
            options["transform"] = matcher(profile)
            if lang in ("zh", "en"):
                options["speed"] = speed_for(profile, lang)
    return voice_for(engine, **options)
