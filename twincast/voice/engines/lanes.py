"""Which copy of an engine's models the calling thread runs.

onnxruntime's and LiteRT's worker threads are born when a model is loaded and keep the nice value of
the thread that loaded it. The room's speech process makes a line's first chunk at normal priority,
for fast first audio, and the rest on a lowered thread, so that the frames come first: that thread
needs models of its own, loaded there, or half of every decode would still run at normal priority on
the workers. Threads that never enter a lane share one copy, as before.

With a copy per lane, the lanes need not wait for each other either: an engine whose models are per
lane (`models_per_lane`) is locked per lane, so a barge-in's first chunk is made while the lowered
thread finishes the slice of the line it cut off. What such an engine shares across lanes (a text
front end) it guards itself."""

from __future__ import annotations

import threading

_local = threading.local()
_locks: dict[tuple[int, str], threading.Lock] = {}
_guard = threading.Lock()


def current() -> str:
    return getattr(_local, "name", "")


def enter(name: str) -> None:
    """From now on the calling thread loads and runs the models of lane `name`."""
    _local.name = name


def lock(engine) -> threading.Lock:  # noqa: ANN001 - an Engine
    """The lock a call into `engine` holds on the calling thread: one per lane when its models are
    per lane, else the engine's own."""
    if not getattr(engine, "models_per_lane", False):
        return engine.lock
    with _guard:
        return _locks.setdefault((id(engine), current()), threading.Lock())
