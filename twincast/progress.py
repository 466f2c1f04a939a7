"""Progress for long work: bars and steps on stderr, warnings collected for the report."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import time
from typing import Callable, Iterator

from tqdm import tqdm


@functools.lru_cache(maxsize=1)
def _terminal_stderr():
    """A copy of the process's stderr, taken once: the face tracker points fd 2
    at /dev/null while it runs (native chatter), and progress must still show."""
    return os.fdopen(os.dup(2), "w", buffering=1, encoding="utf-8", errors="replace")


class Progress:
    def __init__(self, enabled: bool = True, stream=None) -> None:
        self.enabled = enabled
        self.stream = stream or (_terminal_stderr() if enabled else sys.stderr)
        self.warnings: list[str] = []

    @contextlib.contextmanager
    def bar(self, label: str, total: int, unit: str = "it") -> Iterator[Callable[[int], None]]:
        with tqdm(total=total, desc=label, unit=unit, file=self.stream, disable=not self.enabled, leave=True, dynamic_ncols=True) as bar:
            yield bar.update

    @contextlib.contextmanager
    def step(self, label: str) -> Iterator[None]:
        t0 = time.perf_counter()
        if self.enabled:
            print(f"{label} …", file=self.stream, flush=True)
        yield
        if self.enabled:
            print(f"{label}: done in {time.perf_counter() - t0:.1f} s", file=self.stream, flush=True)

    def warn(self, message: str) -> None:
        self.warnings.append(message)
        if self.enabled:
            print(f"warning: {message}", file=self.stream, flush=True)

    def info(self, message: str) -> None:
        if self.enabled:
            print(message, file=self.stream, flush=True)
