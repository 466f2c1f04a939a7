"""Which copy of an engine's models the calling thread runs.

onnxruntime's and LiteRT's worker threads are born when a model is loaded and keep the nice value of
the thread that loaded it. The room's speech process makes a line's first chunk at normal priority,
for fast first audio, and the rest on a lowered thread, so that the frames come first: that thread
needs models of its own, loaded there, or half of every decode would still run at normal priority on
the workers. Threads that never enter a lane share one copy, as before."""

from __future__ import annotations

import threading

_local = threading.local()


def current() -> str:
    return getattr(_local, "name", "")


def enter(name: str) -> None:
    """From now on the calling thread loads and runs the models of lane `name`."""
    _local.name = name
