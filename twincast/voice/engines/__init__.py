"""Speech engines: one module each, one small contract (voice.engines.base)."""
