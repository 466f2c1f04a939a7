"""Live commerce in a room: chat events to the director, its lines into the room.

The hub's events are answered by the director (grounded in the catalogue,
through the ad-law guard); thanks and greetings come in batches from its
tick; its script lines feed the room when nothing else is queued; its coupon
countdown is drawn as a banner. With an LLM configured, its rewordings come
from a RephraseWorker (fetched ahead, off the event loop)."""

from __future__ import annotations

import asyncio
import logging

from twincast.room.engine import Room
from twincast.room.overlay import Overlay

log = logging.getLogger(__name__)

TICK_S = 1.0


class CommerceLink:
    def __init__(self, room: Room, director, hub, overlay: Overlay, now_s, reworder=None) -> None:  # noqa: ANN001
        self.room = room
        self.reworder = reworder
        self.director = director
        self.hub = hub
        self.overlay = overlay
        self.now_s = now_s
        self.events = 0
        room.script_source = self._script_line

    def _script_line(self) -> str | None:
        line = self.director.next_script_line()
        return None if line is None else line.text

    def _enqueue(self, lines) -> None:  # noqa: ANN001
        for line in lines:
            try:
                self.room.enqueue(line.text, source=line.priority, reply=line.reply)
            except Exception as exc:  # noqa: BLE001 - one bad line never stops the room
                log.warning("could not queue %r: %s", line.text[:40], exc)

    async def run(self) -> None:
        tasks = [asyncio.create_task(self._ticks())]
        if self.hub is not None:
            await self.hub.start()
            tasks.append(asyncio.create_task(self._chat()))
        try:
            await asyncio.gather(*tasks)
        finally:
            for t in tasks:
                t.cancel()
            if self.hub is not None:
                await self.hub.aclose()
            if self.reworder is not None:
                self.reworder.close()

    async def _chat(self) -> None:
        async for ev in self.hub.events():
            self.events += 1
            self._enqueue(self.director.on_event(ev))

    async def _ticks(self) -> None:
        while True:
            self._enqueue(self.director.tick())
            self.overlay.text = self._overlay_text()
            await self.room.clock.sleep_until_ns(self.room.clock.now_ns() + int(TICK_S * 1e9))

    def _overlay_text(self) -> str | None:
        info = self.director.overlay()
        if not info:
            return None
        left = max(0, int(info.get("ends_at_s", self.now_s()) - self.now_s()))
        return f"{info.get('text', '')}  {left // 60:02d}:{left % 60:02d}"

    def status(self) -> dict:
        llm = {"llm": {**self.reworder.stats, "waiting": self.reworder.waiting()}} if self.reworder is not None else {}
        return {"director": self.director.status(), "chat_events": self.events, **llm, "chat": {k: v.as_dict() for k, v in self.hub.health().items()} if self.hub is not None else {}}
