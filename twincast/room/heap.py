"""Keep Python's full garbage collections out of the stream.

A room's process holds a large, long-lived heap (models, the clone, the web
console): a full collection walks all of it and, measured in a 1080x1920 room,
paused every thread for 49-65 ms, two or three late frames each time. Frozen
after start-up, that heap is skipped and the same collection takes 0.1-0.3 ms
(docs/BENCHMARKS.md). Objects made while streaming are still collected.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def startup_heap_frozen() -> Iterator[None]:
    gc.collect()  # garbage from start-up goes now, not frozen for ever
    gc.freeze()
    try:
        yield
    finally:
        # Frozen objects are never collected: a room that stops (a test, a restart in the
        # same process) hands its heap back to the collector.
        gc.unfreeze()
