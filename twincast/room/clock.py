"""The room clock: the only thing in a room that reads time.

Pacing is against start + n / rate (never accumulated sleeps), so a late frame
does not push every later frame back. FakeClock jumps straight to each
deadline, so tests run hours of room time in seconds."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from typing import Protocol


class Clock(Protocol):
    def now_ns(self) -> int: ...

    async def sleep_until_ns(self, deadline_ns: int) -> None: ...

    def wall(self) -> dt.datetime: ...


class MonotonicClock:
    def __init__(self) -> None:
        self._wall0 = dt.datetime.now(dt.timezone.utc)
        self._mono0 = time.monotonic_ns()

    def now_ns(self) -> int:
        return time.monotonic_ns()

    async def sleep_until_ns(self, deadline_ns: int) -> None:
        delay = (deadline_ns - time.monotonic_ns()) / 1e9
        await asyncio.sleep(max(0.0, delay))

    def wall(self) -> dt.datetime:
        return self._wall0 + dt.timedelta(microseconds=(time.monotonic_ns() - self._mono0) // 1000)


class FakeClock:
    """Virtual time: sleeping advances the clock to the deadline at once."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self._ns = 0
        self._wall0 = start or dt.datetime(2026, 11, 11, 20, 0, tzinfo=dt.timezone.utc)

    def now_ns(self) -> int:
        return self._ns

    def advance_ns(self, ns: int) -> None:
        self._ns += max(0, ns)

    async def sleep_until_ns(self, deadline_ns: int) -> None:
        if deadline_ns > self._ns:
            self._ns = deadline_ns
        await asyncio.sleep(0)  # let other tasks run, as a real sleep would

    def wall(self) -> dt.datetime:
        return self._wall0 + dt.timedelta(microseconds=self._ns // 1000)
