"""The room's local control API: HTTP + WebSocket on 127.0.0.1, token-protected.

    POST /say        {"text": "...", "priority": 30?, "source": "operator"}  -> {"id": ...}
    POST /interrupt, POST /pause, POST /resume
    GET  /status     state, queue, fps, outputs, latencies
    WS   /events?token=...   status pushed every second
    POST /whep       (application/sdp offer) -> 201 + answer SDP: the WebRTC preview, when configured
    DELETE /whep/{viewer}

Every request carries `Authorization: Bearer <token>` (or ?token= for the
WebSocket, which browsers cannot give headers). It only ever listens on
127.0.0.1: put a reverse proxy with TLS in front to reach it from elsewhere."""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Callable

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request, Response, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, Field

from twincast.errors import TwincastError
from twincast.room.engine import Room

HOST = "127.0.0.1"


class SayRequest(BaseModel):
    text: str = Field(min_length=1, max_length=100_000)
    priority: int | None = Field(None, ge=0, le=100)
    source: str = Field("operator", pattern="^(operator|chat|script)$")
    reply: bool = False


def make_app(room: Room, token: str, status: Callable[[], dict], preview=None) -> FastAPI:  # noqa: ANN001 - WebRtcPreview
    app = FastAPI(title="twincast room", docs_url=None, redoc_url=None, openapi_url=None)

    def authorised(authorization: str = Header("")) -> None:
        given = authorization.removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise HTTPException(401, "missing or wrong token (Authorization: Bearer <token>)")

    guard = [Depends(authorised)]

    @app.post("/say", dependencies=guard)
    async def say(req: SayRequest) -> dict:
        try:
            u = room.enqueue(req.text, req.priority, req.source, req.reply)
        except TwincastError as exc:
            raise HTTPException(422, f"{exc.problem} — {exc.fix}") from None
        return {"id": u.id, "queued": len(room.queue), "dropped": room.queue.dropped}

    @app.post("/interrupt", dependencies=guard)
    async def interrupt() -> dict:
        room.interrupt()
        return {"state": room.state}

    @app.post("/pause", dependencies=guard)
    async def pause() -> dict:
        room.pause()
        return {"state": room.state}

    @app.post("/resume", dependencies=guard)
    async def resume() -> dict:
        room.resume()
        return {"state": room.state}

    @app.get("/status", dependencies=guard)
    async def get_status() -> dict:
        return status()

    @app.post("/whep", dependencies=guard)
    async def whep(request: Request) -> Response:
        if preview is None:
            raise HTTPException(404, "this room has no webrtc output (add {type: webrtc} to outputs)")
        if "application/sdp" not in request.headers.get("content-type", ""):
            raise HTTPException(415, "send the SDP offer as application/sdp")
        offer = (await request.body()).decode(errors="replace")
        try:
            viewer, answer = await preview.answer(offer)
        except ValueError as exc:
            raise HTTPException(400, f"bad offer: {exc}") from None
        return Response(answer, status_code=201, media_type="application/sdp", headers={"Location": f"/whep/{viewer}"})

    @app.delete("/whep/{viewer}", dependencies=guard)
    async def whep_close(viewer: str) -> dict:
        if preview is None or not await preview.close(viewer):
            raise HTTPException(404, "no such viewer")
        return {"closed": viewer}

    @app.websocket("/events")
    async def events(ws: WebSocket, token_q: str = Query("", alias="token")) -> None:
        if not hmac.compare_digest(token_q.encode(), token.encode()):
            await ws.close(code=4401)
            return
        await ws.accept()
        try:
            while True:
                await ws.send_json(status())
                await asyncio.sleep(1.0)
        except (WebSocketDisconnect, RuntimeError):
            return

    return app
