"""The live room: clock, speech queue, barge-in, the frame/audio loop, control API."""
