"""Text-to-speech: engines, text normalisation, voice profile."""
