"""The room clock: the only thing in a room that reads time.

Pacing is against start + n / rate (never accumulated sleeps), so a late frame
does not push every later frame back. FakeClock jumps straight to each
deadline, so tests run hours of room time in seconds."""

from __future__ import annotations

import asyncio
import datetime as dt
import heapq
import itertools
import time
from typing import Protocol


class Clock(Protocol):
    def now_ns(self) -> int: ...

    async def sleep_until_ns(self, deadline_ns: int) -> None: ...

    async def tick_until_ns(self, deadline_ns: int) -> None:
        """The room loop's own wait: with a fake clock, this is what moves time."""
        ...

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

    tick_until_ns = sleep_until_ns

    def wall(self) -> dt.datetime:
        return self._wall0 + dt.timedelta(microseconds=(time.monotonic_ns() - self._mono0) // 1000)


class FakeClock:
    """Virtual time.

    Alone, sleeping advances the clock to the deadline at once (a single task
    runs hours in seconds). Once a room drives it (`tick_until_ns`, called by
    the room loop each frame), only the room moves time and every other
    sleeper (chat sources, the director's ticks, backoffs) waits until room
    time reaches its deadline, so they all live on the same timeline instead
    of each racing ahead on its own."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self._ns = 0
        self._wall0 = start or dt.datetime(2026, 11, 11, 20, 0, tzinfo=dt.timezone.utc)
        self.driven = False
        self._waiters: list[tuple[int, int, asyncio.Future]] = []
        self._seq = itertools.count()

    def now_ns(self) -> int:
        return self._ns

    def advance_ns(self, ns: int) -> None:
        self._ns += max(0, ns)
        self._wake()

    async def sleep_until_ns(self, deadline_ns: int) -> None:
        if not self.driven:
            if deadline_ns > self._ns:
                self._ns = deadline_ns
            await asyncio.sleep(0)  # let other tasks run, as a real sleep would
            return
        if deadline_ns <= self._ns:
            await asyncio.sleep(0)
            return
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (deadline_ns, next(self._seq), future))
        await future

    async def tick_until_ns(self, deadline_ns: int) -> None:
        self.driven = True
        if deadline_ns > self._ns:
            self._ns = deadline_ns
        self._wake()
        await asyncio.sleep(0)

    def _wake(self) -> None:
        while self._waiters and self._waiters[0][0] <= self._ns:
            _, _, future = heapq.heappop(self._waiters)
            if not future.done():
                future.set_result(None)

    def wall(self) -> dt.datetime:
        return self._wall0 + dt.timedelta(microseconds=self._ns // 1000)
