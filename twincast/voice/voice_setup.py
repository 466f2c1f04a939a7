"""Build the Voice a command or a room speaks with: engine choice, fallbacks,
and the person's voice profile when one is given."""

from __future__ import annotations

from pathlib import Path

from twincast.voice.stream import Voice, embedded_engines


def make_voice(engine: str | None = None, profile_dir: Path | None = None) -> Voice:
    embedded = embedded_engines()
    voice = Voice(engines=dict(embedded), fallbacks=dict(embedded))
    if engine:
        from twincast.errors import TwincastError

        raise TwincastError(f"engine {engine!r} is not available yet", "leave --engine out to use the embedded voices")
    return voice
