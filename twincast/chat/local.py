"""Local chat: the operator's own input, for rehearsals and moderated rooms.

- HTTP `POST /chat` with a JSON event (see `pushed.py`), `Authorization: Bearer <token>`.
- WebSocket (a second port; websockets only speaks GET upgrades) at any path, token in
  the `Authorization` header or `?token=` (browsers cannot set headers); each text
  frame is one JSON event, answered with {"ok": true} or {"ok": false, "error": ...}.
- `ConsoleSource`: one line of stdin per message, "name: text" or just text.

Both listen on 127.0.0.1 only: the token keeps out other local users, the address
keeps out the network."""

from __future__ import annotations

import asyncio
import hmac
import json
import secrets
import sys
from typing import TextIO

from websockets.asyncio.server import serve as ws_serve
from websockets.datastructures import Headers

from twincast.chat._http import HttpRequest, HttpResponse, serve_http, server_port
from twincast.chat.events import make_event
from twincast.chat.pushed import PushRejected, parse_pushed
from twincast.chat.source import ChatSource, SessionContext


def token_ok(expected: str, headers: dict[str, str] | Headers, query_token: str | None) -> bool:
    auth = headers.get("authorization", "") or ""
    given = auth[7:] if auth.lower().startswith("bearer ") else (query_token or "")
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())


def ws_handlers(token: str, ctx, parse, reject_reason: str = "bad or missing token"):  # noqa: ANN001, ANN201
    """(process_request, handler) for a token-checked WebSocket that takes one pushed JSON event per
    frame: `parse(frame)` makes the event or raises PushRejected; every frame gets an ok/error reply."""
    from urllib.parse import parse_qs, urlsplit

    def check(connection, request):  # noqa: ANN001, ANN202
        q = parse_qs(urlsplit(request.path).query).get("token", [None])[0]
        if not token_ok(token, request.headers, q):
            ctx.reject(reject_reason)
            return connection.respond(401, "bad token\n")
        return None

    async def on_ws(ws) -> None:  # noqa: ANN001
        async for frame in ws:
            try:
                ev = parse(frame)
            except PushRejected as exc:
                ctx.reject(str(exc))
                await ws.send(json.dumps({"ok": False, "error": str(exc)}))
                continue
            ctx.emit(ev)
            await ws.send(json.dumps({"ok": True, "id": ev.msg_id}))

    return check, on_ws


class LocalSource(ChatSource):
    platform = "local"

    def __init__(self, token: str | None = None, host: str = "127.0.0.1", http_port: int = 0, ws_port: int = 0,
                 name: str | None = None) -> None:
        super().__init__(name)
        if host not in ("127.0.0.1", "::1", "localhost"):
            raise ValueError("the local chat endpoint listens on loopback only")
        self.token = token or secrets.token_urlsafe(24)
        self.host, self.http_port, self.ws_port = host, http_port, ws_port
        self.ready = asyncio.Event()  # set once both ports are bound (ports then hold the real numbers)

    async def session(self, ctx: SessionContext) -> None:
        async def on_http(req: HttpRequest) -> HttpResponse:
            if req.path != "/chat":
                return HttpResponse.json({"error": "not found"}, 404)
            if req.method != "POST":
                return HttpResponse.json({"error": "POST only"}, 405)
            if not token_ok(self.token, req.headers, None):
                ctx.reject("bad or missing token (http)")
                return HttpResponse.json({"error": "bad token"}, 401)
            try:
                ev = parse_pushed(req.body, self.platform, trusted=True, now_s=ctx.wall_s())
            except PushRejected as exc:
                ctx.reject(str(exc))
                return HttpResponse.json({"ok": False, "error": str(exc)}, 400)
            ctx.emit(ev)
            return HttpResponse.json({"ok": True, "id": ev.msg_id})

        check, on_ws = ws_handlers(self.token, ctx, lambda frame: parse_pushed(frame, self.platform, trusted=True, now_s=ctx.wall_s()), "bad or missing token (websocket)")

        http = await serve_http(on_http, self.host, self.http_port, max_body_bytes=64 * 1024)
        try:
            async with ws_serve(on_ws, self.host, self.ws_port, process_request=check, max_size=64 * 1024) as wss:
                self.http_port = server_port(http)
                self.ws_port = wss.sockets[0].getsockname()[1] if hasattr(wss, "sockets") else self.ws_port
                ctx.connected()
                self.ready.set()
                await asyncio.Future()  # serve until cancelled
        finally:
            http.close()
            self.ready.clear()


class ConsoleSource(ChatSource):
    """Lines from a text stream (stdin by default); ends at EOF."""

    platform = "console"
    finite = True

    def __init__(self, stream: TextIO | None = None, name: str | None = None) -> None:
        super().__init__(name)
        self.stream = stream or sys.stdin
        self._n = 0

    async def session(self, ctx: SessionContext) -> None:
        ctx.connected()
        while True:
            line = await asyncio.to_thread(self.stream.readline)  # blocking read off the loop
            if not line:
                return
            line = line.rstrip("\n")
            if not line.strip():
                continue
            user, sep, text = line.partition(": ")
            if not sep or len(user) > 32:
                user, text = "operator", line
            self._n += 1
            ctx.emit(make_event(self.platform, "chat", f"console-{self._n}", user, user, text, ts=ctx.wall_s()))
