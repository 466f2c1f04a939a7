"""Opt-in bridge for unofficial grabbers (browser extensions, web-room scrapers).

Off unless configured. A grabber connects to ws://127.0.0.1:<port>/?token=<token> (or sends
`Authorization: Bearer <token>`) and sends one JSON object per text frame, the schema in
`pushed.py`, with "platform" naming where it grabbed from (letters, digits, - and _):

    {"v": 1, "platform": "douyin-web", "kind": "chat", "id": "7301...",
     "user": {"id": "u1", "name": "小王"}, "text": "还有货吗", "ts": 1767225600.0}

Each frame is answered {"ok": true, "id": ...} or {"ok": false, "error": ...}. Events come
out with platform "bridge:<platform>" so they never mix with (or dedupe against) an official
source, gift values forced to 0 and superchat/system refused: a grabber is trusted to be
chat text and nothing more."""

from __future__ import annotations

import asyncio
import json
import re
import secrets

from websockets.asyncio.server import serve as ws_serve

from twincast.chat.local import ws_handlers
from twincast.chat.pushed import MAX_JSON_BYTES, PushRejected, parse_pushed
from twincast.chat.source import ChatSource, SessionContext

_PLATFORM = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class BridgeSource(ChatSource):
    platform = "bridge"

    def __init__(self, token: str | None = None, host: str = "127.0.0.1", port: int = 0, name: str | None = None) -> None:
        super().__init__(name)
        if host not in ("127.0.0.1", "::1", "localhost"):
            raise ValueError("the grabber bridge listens on loopback only")
        self.token = token or secrets.token_urlsafe(24)
        self.host, self.port = host, port
        self.ready = asyncio.Event()

    async def session(self, ctx: SessionContext) -> None:
        check, on_ws = ws_handlers(self.token, ctx, lambda frame: self._parse(frame, ctx))

        async with ws_serve(on_ws, self.host, self.port, process_request=check, max_size=MAX_JSON_BYTES) as server:
            self.port = server.sockets[0].getsockname()[1]
            ctx.connected()
            self.ready.set()
            try:
                await asyncio.Future()
            finally:
                self.ready.clear()

    def _parse(self, frame: str | bytes, ctx: SessionContext):
        try:
            obj = json.loads(frame)
        except (ValueError, RecursionError) as exc:
            raise PushRejected(f"not JSON: {exc}"[:200]) from exc
        origin = obj.get("platform") if isinstance(obj, dict) else None
        if not isinstance(origin, str) or not _PLATFORM.match(origin):
            raise PushRejected("platform must be 1-32 of A-Z a-z 0-9 _ -")
        return parse_pushed(frame, f"bridge:{origin}", trusted=False, now_s=ctx.wall_s())
