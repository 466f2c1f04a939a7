"""Decoding footage and audio with integer pts, and encoding MP4."""
