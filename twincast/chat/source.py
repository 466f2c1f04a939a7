"""The source contract, flood control, reconnects and the hub.

A `ChatSource` implements one method, `session(ctx)`: connect (or listen),
call `ctx.connected()`, push events with `ctx.emit(...)`, count bad input with
`ctx.reject(reason)`, and return or raise when the connection ends. Everything
else is shared here: exponential backoff with jitter between sessions, health
per source, dedupe, and one bounded queue.

The queue is not a plain `asyncio.Queue` because a plain queue can only refuse
the newest item; under a flood (10,000 likes a minute) we want to keep the
question someone typed and the gift someone paid for, so when full it evicts
the oldest event of the lowest value class present that is not worth more than
the newcomer (likes/enters before follows before chat before gifts/superchats)."""

from __future__ import annotations

import asyncio
import logging
import random
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any, AsyncIterator, Callable, Iterable

from twincast.chat.dedupe import Deduper
from twincast.chat.events import RANKS, ChatEvent, value_rank
from twincast.room.clock import Clock, MonotonicClock

log = logging.getLogger(__name__)


@dataclass(slots=True)
class SourceHealth:
    name: str
    platform: str
    state: str = "idle"  # idle | connecting | live | backoff | finished | closed
    connects: int = 0
    failures: int = 0
    last_error: str = ""
    events: int = 0  # accepted into the queue (after dedupe)
    duplicates: int = 0
    dropped: int = 0  # evicted or refused by flood control
    rejected: int = 0  # malformed frames, bad signatures, garbage JSON
    last_reject: str = ""
    last_event_ts: float = 0.0  # clock seconds (monotonic) of the last accepted event
    next_retry_s: float = 0.0  # backoff delay chosen after the last failure

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class FloodQueue:
    """Bounded event queue with value-aware eviction and an async `get`."""

    def __init__(self, maxsize: int, on_drop: Callable[[ChatEvent, Any], None] | None = None) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self._lanes: list[deque[tuple[int, ChatEvent, Any]]] = [deque() for _ in range(RANKS)]
        self._size = 0
        self._seq = 0
        self._on_drop = on_drop
        self._ready = asyncio.Event()
        self.dropped = 0

    def qsize(self) -> int:
        return self._size

    def empty(self) -> bool:
        return self._size == 0

    def full(self) -> bool:
        return self._size >= self.maxsize

    def put_nowait(self, event: ChatEvent, tag: Any = None) -> bool:
        """Queue an event; False if it was itself the one dropped."""
        rank = value_rank(event)
        if self._size >= self.maxsize:
            victim_lane = next((r for r in range(rank + 1) if self._lanes[r]), None)
            if victim_lane is None:  # everything queued is worth more than this one
                self._drop(event, tag)
                return False
            _, old, old_tag = self._lanes[victim_lane].popleft()
            self._size -= 1
            self._drop(old, old_tag)
        self._seq += 1
        self._lanes[rank].append((self._seq, event, tag))
        self._size += 1
        self._ready.set()
        return True

    def _drop(self, event: ChatEvent, tag: Any) -> None:
        self.dropped += 1
        if self._on_drop is not None:
            self._on_drop(event, tag)

    def get_nowait(self) -> ChatEvent:
        """Oldest event overall (arrival order is kept across lanes)."""
        heads = [(lane[0][0], i) for i, lane in enumerate(self._lanes) if lane]
        if not heads:
            raise asyncio.QueueEmpty
        _, i = min(heads)
        _, event, _ = self._lanes[i].popleft()
        self._size -= 1
        if self._size == 0:
            self._ready.clear()
        return event

    async def get(self) -> ChatEvent:
        while self._size == 0:
            await self._ready.wait()
        return self.get_nowait()


class Backoff:
    """Exponential backoff with jitter: delay n = min(max, initial * factor**n) scaled by
    a random factor in [1 - jitter, 1], so many clients dropped together do not return together."""

    def __init__(self, initial_s: float = 1.0, max_s: float = 60.0, factor: float = 2.0, jitter: float = 0.5,
                 rng: random.Random | None = None) -> None:
        self.initial_s, self.max_s, self.factor, self.jitter = initial_s, max_s, factor, jitter
        self._rng = rng or random.Random()
        self.attempt = 0

    def next_delay_s(self) -> float:
        base = min(self.max_s, self.initial_s * self.factor ** self.attempt)
        self.attempt += 1
        return base * (1.0 - self.jitter * self._rng.random())

    def reset(self) -> None:
        self.attempt = 0


class ChatSource:
    """One platform connection. Subclasses set `platform` and implement `session`."""

    platform: str = "unknown"
    finite: bool = False  # True when a normal return means "done" (a script, stdin EOF), not "reconnect"

    def __init__(self, name: str | None = None) -> None:
        self.name = name or self.platform

    async def session(self, ctx: "SessionContext") -> None:
        raise NotImplementedError


class SessionContext:
    """What a source may do during a session: report itself connected, emit, reject."""

    def __init__(self, hub: "ChatHub", health: SourceHealth, clock: Clock) -> None:
        self._hub = hub
        self.health = health
        self.clock = clock
        self.got_event = False

    def connected(self) -> None:
        self.health.state = "live"
        self.health.connects += 1

    def emit(self, event: ChatEvent) -> bool:
        self.got_event = True
        return self._hub._accept(event, self.health)

    def reject(self, reason: str) -> None:
        self.health.rejected += 1
        self.health.last_reject = reason[:300]
        log.debug("%s rejected input: %s", self.health.name, reason)

    def wall_s(self) -> float:
        return self.clock.wall().timestamp()


class ChatHub:
    """Runs sources, dedupes, exposes `events()` and `health()`. Close with `aclose()`."""

    def __init__(self, sources: Iterable[ChatSource], *, clock: Clock | None = None, queue_size: int = 2000,
                 dedupe_capacity: int = 100_000, backoff: Callable[[], Backoff] | None = None,
                 stable_s: float = 10.0) -> None:
        self.sources = list(sources)
        names = [s.name for s in self.sources]
        if len(set(names)) != len(names):
            raise ValueError(f"source names must be unique: {names}")
        self.clock = clock or MonotonicClock()
        self.queue = FloodQueue(queue_size, on_drop=self._on_drop)
        self.deduper = Deduper(dedupe_capacity)
        self._backoff = backoff or Backoff
        self.stable_s = stable_s  # a session this long resets the backoff even without events
        self._health = {s.name: SourceHealth(s.name, s.platform) for s in self.sources}
        self._tasks: list[asyncio.Task] = []

    # -- events in
    def _accept(self, event: ChatEvent, health: SourceHealth) -> bool:
        if self.deduper.is_duplicate(event.platform, event.msg_id):
            health.duplicates += 1
            return False
        health.events += 1
        health.last_event_ts = self.clock.now_ns() / 1e9
        return self.queue.put_nowait(event, health)

    def _on_drop(self, event: ChatEvent, health: SourceHealth | None) -> None:
        if health is not None:
            health.dropped += 1

    # -- lifecycle
    async def start(self) -> "ChatHub":
        for source in self.sources:
            self._tasks.append(asyncio.create_task(self._run(source), name=f"chat:{source.name}"))
        return self

    async def __aenter__(self) -> "ChatHub":
        return await self.start()

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    async def aclose(self, timeout_s: float = 5.0) -> None:
        for t in self._tasks:
            t.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=timeout_s)
        self._tasks.clear()
        for h in self._health.values():
            if h.state != "finished":
                h.state = "closed"

    async def _run(self, source: ChatSource) -> None:
        health = self._health[source.name]
        backoff = self._backoff()
        while True:
            health.state = "connecting"
            ctx = SessionContext(self, health, self.clock)
            started_ns = self.clock.now_ns()
            try:
                await source.session(ctx)
                if source.finite:
                    health.state = "finished"
                    return
                error = "session ended"
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any failure of one source must not stop the others
                error = f"{type(exc).__name__}: {exc}"[:300]
            health.failures += 1
            health.last_error = error
            lived_s = (self.clock.now_ns() - started_ns) / 1e9
            if health.state == "live" and (ctx.got_event or lived_s >= self.stable_s):
                backoff.reset()
            delay_s = backoff.next_delay_s()
            health.next_retry_s = delay_s
            health.state = "backoff"
            log.info("chat source %s: %s; retrying in %.2f s", source.name, error, delay_s)
            await self.clock.sleep_until_ns(self.clock.now_ns() + int(delay_s * 1e9))

    # -- events out
    async def events(self) -> AsyncIterator[ChatEvent]:
        while True:
            yield await self.queue.get()

    async def get(self) -> ChatEvent:
        return await self.queue.get()

    def health(self) -> dict[str, SourceHealth]:
        return dict(self._health)
