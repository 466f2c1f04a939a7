"""Bilibili open-live (开放平台 · 直播创作者服务中心) danmaku.

Wire format (open-live docs, "项目开启/心跳/关闭" and "长连CMD说明"; cross-checked against the
open-source blivedm client's open_live.py):

1. HTTP: POST {api}/v2/app/start {"code": <主播身份码>, "app_id": <int>} signed with headers
   x-bili-accesskeyid, x-bili-content-md5 (hex MD5 of the body), x-bili-signature-method
   (HMAC-SHA256), x-bili-signature-nonce, x-bili-signature-version (1.0), x-bili-timestamp;
   Authorization = hex HMAC-SHA256(secret, the x-bili-* headers sorted, "key:value" joined by
   "\\n"). Reply data: game_info.game_id, websocket_info.{wss_link[], auth_body}, anchor_info.
   POST /v2/app/heartbeat {"game_id"} every 20 s (the game is closed after 60 s without one),
   POST /v2/app/end {"app_id", "game_id"} when we stop.
2. WebSocket: binary packets with a 16-byte big-endian header `>I2H2I` (packet length, header
   length 16, protover, operation, sequence). op 7 auth (body = auth_body) -> op 8 reply
   {"code": 0}; op 2 heartbeat every 20 s -> op 3 reply; op 5 = a message, JSON
   {"cmd": ..., "data": {...}}. protover 0/1 plain JSON, 2 zlib, 3 brotli; a compressed body is
   itself a run of packets. Several packets may arrive in one WebSocket frame. We ask for
   brotli by setting the auth body's `protoover` (or `protover`) to 3, and decode whichever
   version a packet carries. Either codec stops at MAX_DECOMPRESSED_BYTES of output.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import secrets
import struct
import time
import zlib

import brotli
import websockets

from twincast.chat._http import http_request
from twincast.chat.events import Gift, make_event
from twincast.chat.source import ChatSource, SessionContext

log = logging.getLogger(__name__)

HEADER = struct.Struct(">I2H2I")
HEADER_LEN = 16
OP_HEARTBEAT, OP_HEARTBEAT_REPLY, OP_MESSAGE, OP_AUTH, OP_AUTH_REPLY = 2, 3, 5, 7, 8
MAX_PACKET_BYTES = 1 << 20
MAX_DECOMPRESSED_BYTES = 8 << 20  # a zlib or brotli bomb stops here
# brotli's output_buffer_limit only stops its buffer growing once the buffer has reached it, and
# the buffer grows in doubling blocks, so one call can return nearly twice what was asked: asking
# in small steps keeps the overshoot past MAX_DECOMPRESSED_BYTES small
_BROTLI_STEP_BYTES = 256 << 10


class PacketError(ValueError):
    pass


def sign_headers(body: bytes, access_key_id: str, access_key_secret: str, *, nonce: str | None = None,
                 timestamp: int | None = None) -> dict[str, str]:
    x = {
        "x-bili-accesskeyid": access_key_id,
        "x-bili-content-md5": hashlib.md5(body).hexdigest(),
        "x-bili-signature-method": "HMAC-SHA256",
        "x-bili-signature-nonce": nonce or secrets.token_hex(16),
        "x-bili-signature-version": "1.0",
        "x-bili-timestamp": str(int(time.time()) if timestamp is None else timestamp),
    }
    x["Authorization"] = signature(x, access_key_secret)
    x["Content-Type"] = "application/json"
    x["Accept"] = "application/json"
    return x


def signature(headers: dict[str, str], access_key_secret: str) -> str:
    xs = {k.lower(): v for k, v in headers.items() if k.lower().startswith("x-bili-")}
    text = "\n".join(f"{k}:{xs[k]}" for k in sorted(xs))
    return hmac.new(access_key_secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def pack(op: int, body: bytes = b"", protover: int = 1, seq: int = 1) -> bytes:
    return HEADER.pack(HEADER_LEN + len(body), HEADER_LEN, protover, op, seq) + body


def unpack(frame: bytes, depth: int = 0) -> list[tuple[int, bytes]]:
    """A WebSocket frame -> [(op, body)], compressed bodies expanded. Raises PacketError."""
    out: list[tuple[int, bytes]] = []
    off = 0
    while off < len(frame):
        if len(frame) - off < HEADER_LEN:
            raise PacketError(f"{len(frame) - off} trailing bytes, shorter than a header")
        plen, hlen, ver, op, _seq = HEADER.unpack_from(frame, off)
        if hlen < HEADER_LEN or plen < hlen or off + plen > len(frame) or plen > MAX_PACKET_BYTES:
            raise PacketError(f"bad packet lengths (packet {plen}, header {hlen}, frame {len(frame)})")
        body = frame[off + hlen: off + plen]
        off += plen
        if ver == 2 or ver == 3:
            if depth:
                raise PacketError("compressed packet inside a compressed packet")
            out.extend(unpack(_decompress(ver, body), depth + 1))
        else:
            out.append((op, body))
    return out


def _decompress(ver: int, body: bytes) -> bytes:
    if ver == 3:
        data = _unbrotli(body)
    else:
        d = zlib.decompressobj()
        try:
            data = d.decompress(body, MAX_DECOMPRESSED_BYTES)
        except zlib.error as exc:
            raise PacketError(f"bad zlib body: {exc}") from exc
        if d.unconsumed_tail:
            raise PacketError("zlib body expands beyond the limit")
    if len(data) > MAX_DECOMPRESSED_BYTES:
        raise PacketError("body expands beyond the limit")
    return data


def _unbrotli(body: bytes) -> bytes:
    d = brotli.Decompressor()
    chunks: list[bytes] = []
    size = 0
    pending = body
    try:
        while True:
            chunk = d.process(pending, output_buffer_limit=min(_BROTLI_STEP_BYTES, MAX_DECOMPRESSED_BYTES - size + 1))
            fed, pending = bool(pending), b""  # the decoder keeps what it did not consume; later calls drain it
            size += len(chunk)
            if size > MAX_DECOMPRESSED_BYTES:
                raise PacketError("brotli body expands beyond the limit")
            chunks.append(chunk)
            if d.is_finished():
                return b"".join(chunks)
            # can_accept_more_data() is no sign of the end: it turns true while output is still
            # held back. Only a drain that yields nothing means the stream stopped short.
            if not chunk and not fed:
                raise PacketError("bad brotli body: truncated")
    except brotli.error as exc:
        raise PacketError(f"bad brotli body: {exc}") from exc


def map_message(msg: dict, now_s: float):
    """An op-5 message -> ChatEvent, None for commands we do not map. Raises KeyError/TypeError/ValueError."""
    cmd = msg["cmd"]
    d = msg["data"]
    if not isinstance(d, dict):
        raise TypeError("data is not an object")
    uid = d.get("open_id") or d.get("uid") or ""
    name = d.get("uname", "")
    ts = float(d.get("timestamp") or now_s)
    raw = {"cmd": cmd, "data": d}
    if cmd == "LIVE_OPEN_PLATFORM_DM":
        return make_event("bilibili", "chat", d["msg_id"], uid, name, d.get("msg", ""), ts=ts, raw=raw)
    if cmd == "LIVE_OPEN_PLATFORM_SEND_GIFT":
        num = int(d.get("gift_num", 1))
        # price is per gift in 1/1000 yuan (1000 = 1 元 = 10 电池); unpaid (free) gifts are worth nothing
        value = (int(d.get("price", 0)) * num / 1000.0) if d.get("paid", True) else 0.0
        gift = Gift(str(d.get("gift_name", "")), num, value, "CNY")
        return make_event("bilibili", "gift", d["msg_id"], uid, name, "", gift=gift, ts=ts, raw=raw)
    if cmd == "LIVE_OPEN_PLATFORM_SUPER_CHAT":
        gift = Gift("super_chat", 1, float(d.get("rmb", 0)), "CNY")
        mid = d.get("msg_id") or f"sc-{d.get('message_id')}"
        return make_event("bilibili", "superchat", mid, uid, name, d.get("message", ""), gift=gift, ts=ts, raw=raw)
    if cmd == "LIVE_OPEN_PLATFORM_LIKE":
        return make_event("bilibili", "like", d["msg_id"], uid, name, d.get("like_text", ""),
                          like_count=int(d.get("like_count", 1)), ts=ts, raw=raw)
    if cmd == "LIVE_OPEN_PLATFORM_LIVE_ROOM_ENTER":
        # the enter message documents no msg_id: (user, time) identifies it well enough to dedupe
        mid = d.get("msg_id") or f"enter-{uid}-{d.get('timestamp')}"
        return make_event("bilibili", "enter", mid, uid, name, "", ts=ts, raw=raw)
    if cmd == "LIVE_OPEN_PLATFORM_GUARD":
        info = d.get("user_info") or {}
        gift = Gift(f"guard_level_{d.get('guard_level')}", int(d.get("guard_num", 1)), 0.0, "CNY")
        return make_event("bilibili", "gift", d["msg_id"], info.get("open_id") or info.get("uid", ""),
                          info.get("uname", ""), "", gift=gift, ts=ts, raw=raw)
    return None


class InteractionEnded(Exception):
    pass


class BilibiliOpenLiveSource(ChatSource):
    platform = "bilibili"

    def __init__(self, app_id: int, access_key_id: str, access_key_secret: str, code: str, *,
                 api_base: str = "https://live-open.biliapi.com", heartbeat_s: float = 20.0,
                 auth_timeout_s: float = 10.0, name: str | None = None) -> None:
        super().__init__(name)
        self.app_id, self.code = int(app_id), code
        self.access_key_id, self.access_key_secret = access_key_id, access_key_secret
        self.api_base = api_base.rstrip("/")
        self.heartbeat_s = heartbeat_s
        self.auth_timeout_s = auth_timeout_s
        self.game_id = ""

    async def _post(self, path: str, payload: dict) -> dict:
        body = json.dumps(payload, separators=(",", ":")).encode()
        resp = await http_request("POST", self.api_base + path,
                                  sign_headers(body, self.access_key_id, self.access_key_secret), body)
        try:
            reply = resp.json_body()
        except (ValueError, UnicodeDecodeError) as exc:
            raise RuntimeError(f"{path}: HTTP {resp.status}, not JSON") from exc
        if resp.status != 200 or not isinstance(reply, dict) or reply.get("code") != 0:
            msg = reply.get("message") if isinstance(reply, dict) else ""
            raise RuntimeError(f"{path}: HTTP {resp.status}, code {reply.get('code') if isinstance(reply, dict) else '?'} {msg}")
        return reply.get("data") or {}

    @staticmethod
    def _auth_body(auth_body: str) -> bytes:
        """Ask for brotli (protover 3): the smallest frames under a flood. Only a protover key the
        body already has is changed, so a body we do not understand goes out as Bilibili wrote it."""
        try:
            obj = json.loads(auth_body)
        except ValueError:
            return auth_body.encode()
        if isinstance(obj, dict):
            for key in ("protoover", "protover"):
                if key in obj and obj[key] != 3:
                    obj[key] = 3
                    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()
        return auth_body.encode()

    async def session(self, ctx: SessionContext) -> None:
        data = await self._post("/v2/app/start", {"code": self.code, "app_id": self.app_id})
        self.game_id = str(data["game_info"]["game_id"])
        ws_info = data["websocket_info"]
        links = ws_info["wss_link"]
        tasks: list[asyncio.Task] = []
        try:
            async with websockets.connect(links[0], max_size=MAX_PACKET_BYTES, open_timeout=10) as ws:
                await ws.send(pack(OP_AUTH, self._auth_body(ws_info["auth_body"])))
                reply = await asyncio.wait_for(ws.recv(), self.auth_timeout_s)
                packets = unpack(reply if isinstance(reply, bytes) else reply.encode())
                if not packets or packets[0][0] != OP_AUTH_REPLY or json.loads(packets[0][1]).get("code") != 0:
                    raise RuntimeError(f"websocket auth refused: {packets[:1]!r}"[:200])
                ctx.connected()
                tasks.append(asyncio.create_task(self._ws_heartbeat(ws)))
                tasks.append(asyncio.create_task(self._http_heartbeat(ctx)))
                reader = asyncio.create_task(self._read(ws, ctx))
                done, _ = await asyncio.wait([reader, *tasks], return_when=asyncio.FIRST_COMPLETED)
                for t in done:
                    t.result()  # re-raise the failure that ended the session
                tasks.append(reader)
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self._end()

    async def _end(self) -> None:
        if self.game_id:
            try:
                await asyncio.wait_for(self._post("/v2/app/end", {"app_id": self.app_id, "game_id": self.game_id}), 5)
            except Exception as exc:  # the game times out on its own after 60 s anyway
                log.info("bilibili app/end failed: %s", exc)
            self.game_id = ""

    async def _ws_heartbeat(self, ws) -> None:
        while True:
            await ws.send(pack(OP_HEARTBEAT))
            await asyncio.sleep(self.heartbeat_s)

    async def _http_heartbeat(self, ctx: SessionContext) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_s)
            await self._post("/v2/app/heartbeat", {"game_id": self.game_id})

    async def _read(self, ws, ctx: SessionContext) -> None:
        async for frame in ws:
            if isinstance(frame, str):
                ctx.reject("text frame where binary packets were expected")
                continue
            try:
                packets = unpack(frame)
            except PacketError as exc:
                ctx.reject(str(exc))
                continue
            for op, body in packets:
                if op != OP_MESSAGE:
                    continue  # heartbeat replies carry a popularity number we do not use
                try:
                    ev = map_message(json.loads(body), ctx.wall_s())
                except (ValueError, KeyError, TypeError, AttributeError) as exc:
                    ctx.reject(f"bad message: {type(exc).__name__}: {exc}"[:200])
                    continue
                if ev is not None:
                    ctx.emit(ev)
                elif json.loads(body).get("cmd") == "LIVE_OPEN_PLATFORM_INTERACTION_END":
                    raise InteractionEnded("bilibili ended the interaction; starting again")
