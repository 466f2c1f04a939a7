"""Douyin open-platform live data push (直播间互动数据推送): a webhook receiver.

Douyin POSTs to our URL with headers x-roomid, x-msg-type (live_comment, live_gift,
live_like, live_fansclub), x-nonce-str, x-timestamp and x-signature, and a JSON array of
messages as the body. The signature (open-platform docs, "签名校验"): take the four headers
x-nonce-str, x-timestamp, x-roomid, x-msg-type, sort by name, join as "name=value" with
"&", append the raw body and then the secret, MD5 it and base64 the digest. The docs'
example (headers 123456 / 456789 / 268 / live_gift, body "abc123你好", secret "123abc")
gives "PDcKhdlsrKEJif6uMKD2dw==", which `tests/test_chat_douyin.py` checks.

We answer 200 to whatever we took (including an empty array and types we do not map, so
Douyin does not retry them) and 401 to a bad signature, 400 to garbage. Douyin redelivers
on timeouts, so events keep their msg_id and the hub dedupes.

Message fields (per the push docs): all carry msg_id, sec_openid, nickname, avatar_url and
timestamp (ms); live_comment has content; live_gift sec_gift_id, gift_num and gift_value
(total value in fen, 1/100 CNY); live_like like_num; live_fansclub fansclub_reason_type and
fansclub_level. Assumption: gift names are not pushed (only the opaque sec_gift_id), so the
gift name is the id until a catalogue maps it."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json

from twincast.chat._http import HttpRequest, HttpResponse, serve_http, server_port
from twincast.chat.events import Gift, make_event
from twincast.chat.source import ChatSource, SessionContext

SIGNED_HEADERS = ("x-nonce-str", "x-timestamp", "x-roomid", "x-msg-type")


def douyin_signature(headers: dict[str, str], body: bytes, secret: str) -> str:
    h = {k.lower(): v for k, v in headers.items() if k.lower() in SIGNED_HEADERS}
    text = "&".join(f"{k}={h.get(k, '')}" for k in sorted(h)).encode() + body + secret.encode()
    return base64.b64encode(hashlib.md5(text).digest()).decode()


def map_item(msg_type: str, item: dict, room_id: str):
    if not isinstance(item, dict):
        raise TypeError("message is not an object")
    uid = item.get("sec_openid", "")
    name = item.get("nickname", "")
    ts_ms = item.get("timestamp")
    ts = float(ts_ms) / 1000.0 if isinstance(ts_ms, (int, float)) and ts_ms > 1e11 else float(ts_ms or 0)
    raw = {"msg_type": msg_type, "room_id": room_id, "item": item}
    mid = item["msg_id"]
    if msg_type == "live_comment":
        return make_event("douyin", "chat", mid, uid, name, item.get("content", ""), ts=ts, raw=raw)
    if msg_type == "live_gift":
        num = int(item.get("gift_num", 1))
        gift = Gift(str(item.get("sec_gift_id", "gift")), num, int(item.get("gift_value", 0)) / 100.0, "CNY")
        return make_event("douyin", "gift", mid, uid, name, "", gift=gift, ts=ts, raw=raw)
    if msg_type == "live_like":
        return make_event("douyin", "like", mid, uid, name, "", like_count=int(item.get("like_num", 1)), ts=ts, raw=raw)
    if msg_type == "live_fansclub":
        return make_event("douyin", "follow", mid, uid, name, "", ts=ts, raw=raw)
    return None


class DouyinWebhookSource(ChatSource):
    platform = "douyin"

    def __init__(self, secret: str, *, host: str = "127.0.0.1", port: int = 0, path: str = "/douyin/live",
                 max_body_bytes: int = 2 << 20, name: str | None = None) -> None:
        super().__init__(name)
        if not secret:
            raise ValueError("the Douyin push secret is required: unsigned pushes are refused")
        self.secret, self.host, self.port, self.path = secret, host, port, path
        self.max_body_bytes = max_body_bytes
        self.ready = asyncio.Event()

    async def session(self, ctx: SessionContext) -> None:
        async def on_request(req: HttpRequest) -> HttpResponse:
            if req.path != self.path:
                return HttpResponse.json({"err_no": 404, "err_msg": "not found"}, 404)
            if req.method != "POST":
                return HttpResponse.json({"err_no": 405, "err_msg": "POST only"}, 405)
            given = req.headers.get("x-signature", "")
            expected = douyin_signature(req.headers, req.body, self.secret)
            if not given or not hmac.compare_digest(given.encode(), expected.encode()):
                ctx.reject("bad x-signature")
                return HttpResponse.json({"err_no": 401, "err_msg": "bad signature"}, 401)
            msg_type = req.headers.get("x-msg-type", "")
            room_id = req.headers.get("x-roomid", "")
            try:
                items = json.loads(req.body.decode("utf-8"))
                if not isinstance(items, list):
                    raise ValueError("body is not a JSON array")
            except (ValueError, UnicodeDecodeError) as exc:
                ctx.reject(f"garbage body: {exc}"[:200])
                return HttpResponse.json({"err_no": 400, "err_msg": "bad body"}, 400)
            for item in items:
                try:
                    ev = map_item(msg_type, item, room_id)
                except (KeyError, TypeError, ValueError) as exc:
                    ctx.reject(f"bad {msg_type} item: {type(exc).__name__}: {exc}"[:200])
                    continue
                if ev is None:
                    ctx.reject(f"unmapped x-msg-type {msg_type!r}")
                    break
                ctx.emit(ev)
            return HttpResponse.json({"err_no": 0, "err_msg": "success"})

        server = await serve_http(on_request, self.host, self.port, max_body_bytes=self.max_body_bytes)
        try:
            self.port = server_port(server)
            ctx.connected()
            self.ready.set()
            await asyncio.Future()
        finally:
            server.close()
            self.ready.clear()
