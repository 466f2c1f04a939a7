"""An LLM's rewordings for a live room, fetched off the event loop and ahead of need.

The director asks for a rewording only when every template of a slot was said in the last ten
minutes; a room cannot wait the model's seconds for it (frames must keep coming). So the ask never
blocks: it returns a rewording fetched earlier for that template if one is ready, and otherwise
queues the template for the one worker thread and returns None (the director moves on to the next
slot, as it does when no variant is allowed). By the time the slot comes round again the rewording
is there. Whatever the model returns is still checked by the director (facts, guard, repeats).

Bounded everywhere: at most MAX_WAITING templates wait for the model (more are dropped and
counted), at most MAX_READY per template and MAX_KEYS templates keep rewordings (least recently
asked forgotten first). A model that fails FAILURES_TO_REST times in a row is left alone for REST_S
seconds of wall time, so a dead server costs a log line a minute, not a thread spinning on timeouts."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

log = logging.getLogger(__name__)

MAX_WAITING = 8
MAX_READY = 2
MAX_KEYS = 256
FAILURES_TO_REST = 3
REST_S = 60.0


class RephraseWorker:
    def __init__(self, rephrase: Callable[[str, list, str], str | None], monotonic: Callable[[], float] = time.monotonic) -> None:
        self._rephrase = rephrase
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._ready: OrderedDict[tuple[str, str], deque[str]] = OrderedDict()
        self._waiting: set[tuple[str, str]] = set()
        self._jobs: queue.Queue = queue.Queue(maxsize=MAX_WAITING)
        self._failures_in_row = 0
        self._rest_until = float("-inf")
        self.stats = {"asked": 0, "served": 0, "fetched": 0, "failed": 0, "dropped": 0}
        self._thread = threading.Thread(target=self._work, name="twincast-rephrase", daemon=True)
        self._thread.start()

    def __call__(self, text: str, facts: list, lang: str) -> str | None:
        """A rewording of `text` fetched earlier, or None (and one is fetched for next time)."""
        key = (text, lang)
        with self._lock:
            self.stats["asked"] += 1
            ready = self._ready.get(key)
            got = ready.popleft() if ready else None
            if key in self._ready:
                self._ready.move_to_end(key)
            if got is not None:
                self.stats["served"] += 1
            if key in self._waiting or ready:  # one is on its way, or one is left for next time
                return got
            if self._monotonic() < self._rest_until:
                return got
            try:
                self._jobs.put_nowait((key, list(facts)))
                self._waiting.add(key)
            except queue.Full:
                self.stats["dropped"] += 1
        return got

    def waiting(self) -> int:
        """Templates sent to the model and not answered yet."""
        with self._lock:
            return len(self._waiting)

    def close(self) -> None:
        self._jobs.put((None, None))

    def _work(self) -> None:
        while True:
            key, facts = self._jobs.get()
            if key is None:
                return
            text, lang = key
            try:
                candidate = self._rephrase(text, facts, lang)
            except Exception as exc:  # noqa: BLE001 - a failing model costs variety, never the room
                log.warning("LLM rewording failed: %s", exc)
                candidate = None
            with self._lock:
                self._waiting.discard(key)
                if not candidate:
                    self.stats["failed"] += 1
                    self._failures_in_row += 1
                    if self._failures_in_row >= FAILURES_TO_REST:
                        self._rest_until = self._monotonic() + REST_S
                        self._failures_in_row = 0
                        log.warning("the LLM failed %d times in a row; templates only for %.0f s", FAILURES_TO_REST, REST_S)
                    continue
                self._failures_in_row = 0
                self.stats["fetched"] += 1
                ready = self._ready.setdefault(key, deque(maxlen=MAX_READY))
                ready.append(candidate)
                self._ready.move_to_end(key)
                while len(self._ready) > MAX_KEYS:
                    self._ready.popitem(last=False)
