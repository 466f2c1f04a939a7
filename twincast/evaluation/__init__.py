"""Self-reenactment evaluation: build from the head of a clip, drive with its tail's audio, compare."""
