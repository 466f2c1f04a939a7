"""Chat platforms on 127.0.0.1 that speak the real wire formats, for the chat tests.

Each fake checks what the client sends as the platform would (signatures, auth packets,
IRC registration, subscription bodies) with its own code, not the adapter's, so a shared
mistake cannot pass. Each can misbehave: send raw garbage, drop every connection, return
errors. All run on the test's event loop."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import struct
import zlib
from urllib.parse import parse_qs, urlsplit

import brotli
import websockets
from websockets.asyncio.server import serve as ws_serve

from twincast.chat._http import HttpRequest, HttpResponse, http_request, serve_http, server_port


async def until(pred, timeout_s: float = 5.0, what: str = "condition") -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not pred():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


# ---------------------------------------------------------------- Bilibili open-live

def bili_packet(op: int, body: bytes, ver: int = 0, seq: int = 0) -> bytes:
    return struct.pack(">IHHII", 16 + len(body), 16, ver, op, seq) + body


def bili_compress(data: bytes, ver: int) -> bytes:
    return brotli.compress(data, quality=5) if ver == 3 else zlib.compress(data)


class FakeBilibili:
    """/v2/app/start|heartbeat|end with x-bili-* HMAC-SHA256 checks, plus the danmaku WebSocket."""

    def __init__(self, key_id: str = "AKID", secret: str = "s3cret", code: str = "IDCODE", app_id: int = 1650) -> None:
        self.key_id, self.secret, self.code, self.app_id = key_id, secret, code, app_id
        self.auth_body = json.dumps({"roomid": 4639581, "protoover": 2, "key": "k", "group": "open"})
        self.calls: list[tuple[str, dict]] = []
        self.bad_signatures = 0
        self.ws_heartbeats = 0
        self.auths: list[bytes] = []
        self.conns: set = set()
        self.protover: dict = {}  # socket -> the protover its auth packet asked for
        self.refuse_ws = False

    def _check(self, req: HttpRequest) -> bool:
        h = req.headers
        if h.get("x-bili-content-md5") != hashlib.md5(req.body).hexdigest():
            return False
        names = ["x-bili-accesskeyid", "x-bili-content-md5", "x-bili-signature-method", "x-bili-signature-nonce",
                 "x-bili-signature-version", "x-bili-timestamp"]
        if h.get("x-bili-accesskeyid") != self.key_id or h.get("x-bili-signature-method") != "HMAC-SHA256":
            return False
        text = "\n".join(f"{n}:{h.get(n, '')}" for n in names)
        want = hmac.new(self.secret.encode(), text.encode(), hashlib.sha256).hexdigest()
        return hmac.compare_digest(want, h.get("authorization", ""))

    async def _http(self, req: HttpRequest) -> HttpResponse:
        if not self._check(req):
            self.bad_signatures += 1
            return HttpResponse.json({"code": 4102, "message": "签名错误", "data": {}})
        body = json.loads(req.body)
        self.calls.append((req.path, body))
        if req.path == "/v2/app/start":
            if body.get("code") != self.code or body.get("app_id") != self.app_id:
                return HttpResponse.json({"code": 7002, "message": "bad code", "data": {}})
            return HttpResponse.json({"code": 0, "message": "0", "data": {
                "game_info": {"game_id": "game-1"},
                "websocket_info": {"auth_body": self.auth_body, "wss_link": [self.ws_url]},
                "anchor_info": {"room_id": 4639581, "uname": "主播", "open_id": "anchor"}}})
        if req.path in ("/v2/app/heartbeat", "/v2/app/end"):
            return HttpResponse.json({"code": 0, "message": "0", "data": {}})
        return HttpResponse.json({"code": -404}, 404)

    async def _ws(self, ws) -> None:
        first = await ws.recv()
        plen, hlen, ver, op, seq = struct.unpack(">IHHII", first[:16])
        self.auths.append(first[16:])
        try:
            auth = json.loads(first[16:])
            asked = auth.pop("protoover")  # the one field a client may change: the compression it wants
            issued = json.loads(self.auth_body)
            issued.pop("protoover")
            ok = auth == issued and asked in (0, 1, 2, 3)
        except (ValueError, KeyError, AttributeError):
            ok = False
        if op != 7 or plen != len(first) or hlen != 16 or not ok or self.refuse_ws:
            await ws.send(bili_packet(8, b'{"code":-101}'))
            return
        await ws.send(bili_packet(8, b'{"code":0}'))
        self.protover[ws] = asked
        self.conns.add(ws)
        try:
            async for frame in ws:
                _, _, _, op, _ = struct.unpack(">IHHII", frame[:16])
                if op == 2:
                    self.ws_heartbeats += 1
                    await ws.send(bili_packet(3, struct.pack(">I", 1)))
        finally:
            self.conns.discard(ws)
            self.protover.pop(ws, None)

    async def start(self) -> "FakeBilibili":
        self._ws_server = await ws_serve(self._ws, "127.0.0.1", 0).__aenter__()
        self.ws_url = f"ws://127.0.0.1:{self._ws_server.sockets[0].getsockname()[1]}/sub"
        self._http_server = await serve_http(self._http)
        self.api_base = f"http://127.0.0.1:{server_port(self._http_server)}"
        return self

    async def close(self) -> None:
        self._http_server.close()
        self._ws_server.close()

    async def send_frame(self, frame: bytes) -> None:
        for ws in list(self.conns):
            await ws.send(frame)

    async def push(self, messages: list[dict], ver: int | None = None) -> None:
        """Several op-5 packets in one frame, wrapped as Bilibili does in one packet of protover 2
        (zlib) or 3 (brotli); `ver` None sends each socket the protover its auth asked for."""
        inner = b"".join(bili_packet(5, json.dumps(m, ensure_ascii=False).encode()) for m in messages)
        for ws in list(self.conns):
            v = self.protover.get(ws, 2) if ver is None else ver
            await ws.send(bili_packet(5, bili_compress(inner, v), ver=v) if v in (2, 3) else inner)

    async def drop(self) -> None:
        for ws in list(self.conns):
            await ws.close()


def bili_dm(i: int, text: str = "多少钱", uname: str = "观众") -> dict:
    return {"cmd": "LIVE_OPEN_PLATFORM_DM", "data": {
        "room_id": 4639581, "open_id": f"oid-{i % 50}", "uid": 0, "uname": uname, "msg": text,
        "msg_id": f"dm-{i}", "fans_medal_level": 1, "guard_level": 0, "timestamp": 1650717881, "dm_type": 0}}


def bili_gift(i: int, num: int = 2, price: int = 1000, paid: bool = True) -> dict:
    return {"cmd": "LIVE_OPEN_PLATFORM_SEND_GIFT", "data": {
        "room_id": 4639581, "open_id": "oid-g", "uname": "土豪", "gift_id": 31036, "gift_name": "小花花",
        "gift_num": num, "price": price, "paid": paid, "timestamp": 1650717898, "msg_id": f"gift-{i}"}}


def bili_like(i: int, count: int = 3) -> dict:
    return {"cmd": "LIVE_OPEN_PLATFORM_LIKE", "data": {
        "room_id": 4639581, "open_id": f"oid-{i}", "uname": "点赞的人", "timestamp": 1650717900,
        "like_text": "为主播点赞了", "like_count": count, "msg_id": f"like-{i}"}}


# ---------------------------------------------------------------- Douyin webhook (the platform is the client)

def douyin_sign(headers: dict[str, str], body: bytes, secret: str) -> str:
    keys = sorted(["x-nonce-str", "x-timestamp", "x-roomid", "x-msg-type"])
    s = "&".join(f"{k}={headers[k]}" for k in keys).encode() + body + secret.encode()
    return base64.b64encode(hashlib.md5(s).digest()).decode()


async def douyin_push(url: str, secret: str, msg_type: str, items, *, room_id: str = "7300000000000000001",
                      nonce: str = "n0nce", timestamp: str = "1767225600000", body: bytes | None = None,
                      tamper: bool = False) -> HttpResponse:
    body = json.dumps(items, ensure_ascii=False).encode() if body is None else body
    headers = {"x-roomid": room_id, "x-msg-type": msg_type, "x-nonce-str": nonce, "x-timestamp": timestamp,
               "content-type": "application/json"}
    headers["x-signature"] = douyin_sign(headers, body, secret)
    if tamper:
        body = body.replace(b"1", b"2", 1) if b"1" in body else body + b" "
    return await http_request("POST", url, headers, body)


def dy_comment(i: int, text: str = "还有货吗") -> dict:
    return {"msg_id": f"c{i}", "sec_openid": f"so{i % 40}", "content": text,
            "avatar_url": "https://p3.douyinpic.com/a.jpg", "nickname": "抖音用户", "timestamp": 1767225600123}


def dy_gift(i: int, num: int = 1, value_fen: int = 100) -> dict:
    return {"msg_id": f"g{i}", "sec_openid": "so-rich", "sec_gift_id": "n1/Dg1905sj1FyoBlQBvmbaDZFBNaKuKZH6zxHkv8Lg5x2cRfrKUTb8gzMs=",
            "gift_num": num, "gift_value": value_fen, "avatar_url": "", "nickname": "大哥", "timestamp": 1767225600456,
            "test": False}


def dy_like(i: int, n: int = 5) -> dict:
    return {"msg_id": f"l{i}", "sec_openid": f"so{i}", "like_num": n, "avatar_url": "", "nickname": "点赞",
            "timestamp": 1767225600789}


# ---------------------------------------------------------------- Twitch IRC (TMI)

class FakeTmi:
    def __init__(self) -> None:
        self.received: list[str] = []
        self.writers: list[asyncio.StreamWriter] = []
        self.joined = 0
        self.pongs: list[str] = []

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nick = "justinfan"
        try:
            while line := await reader.readline():
                text = line.decode().rstrip("\r\n")
                self.received.append(text)
                if text.startswith("CAP REQ"):
                    writer.write(f":tmi.twitch.tv CAP * ACK :{text.split(':', 1)[1]}\r\n".encode())
                elif text.startswith("NICK "):
                    nick = text[5:]
                    writer.write(f":tmi.twitch.tv 001 {nick} :Welcome, GLHF!\r\n:tmi.twitch.tv 376 {nick} :>\r\n".encode())
                elif text.startswith("JOIN "):
                    self.joined += 1
                    self.writers.append(writer)
                    writer.write(f":{nick}!{nick}@{nick}.tmi.twitch.tv JOIN {text[5:]}\r\n".encode())
                    writer.write(f"@emote-only=0;room-id=12345 :tmi.twitch.tv ROOMSTATE {text[5:]}\r\n".encode())
                elif text.startswith("PONG"):
                    self.pongs.append(text)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            if writer in self.writers:
                self.writers.remove(writer)
            writer.close()

    async def start(self) -> "FakeTmi":
        self._server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        self._server.close()

    async def send(self, *lines: str | bytes) -> None:
        data = b"".join((l if isinstance(l, bytes) else l.encode()) + b"\r\n" for l in lines)
        for w in list(self.writers):
            w.write(data)
            await w.drain()

    async def drop(self) -> None:
        for w in list(self.writers):
            w.close()
        self.writers.clear()


def tmi_privmsg(i: int, text: str, bits: int = 0, name: str = "Viewer_One") -> str:
    tags = (f"badge-info=;badges=;color=#1E90FF;display-name={name};emotes=;first-msg=0;flags=;id=msg-{i};mod=0;"
            f"room-id=12345;subscriber=0;tmi-sent-ts=1767225600{i % 1000:03d};turbo=0;user-id=9{i % 7};user-type=")
    if bits:
        tags = f"bits={bits};" + tags
    login = name.lower()
    return f"@{tags} :{login}!{login}@{login}.tmi.twitch.tv PRIVMSG #shopchan :{text}"


# ---------------------------------------------------------------- Twitch EventSub

class FakeEventSub:
    """The EventSub WebSocket plus Helix's subscription endpoint.

    session_reconnect works as Twitch's does: `ask_reconnect` sends it with a reconnect_url
    that points back here; a connection there is welcomed into the same session (its
    subscriptions carry over, no POST needed), and once it is, the old socket gets
    `old_grace_s` to be closed by the client before the fake closes it itself with 4004.
    `reconnect_mode` makes the reconnect_url misbehave ("silent": never welcome, "close":
    close at once); `welcome_gate`, when set, holds the welcome until the test opens it, so
    a test can talk on the old socket while the new one waits. Frames for the old socket:
    `while_pending` as soon as the client reaches the reconnect_url, `last_words` right after
    the new socket's welcome."""

    def __init__(self, keepalive_s: int = 10) -> None:
        self.keepalive_s = keepalive_s
        self.subscriptions: list[dict] = []
        self.sub_headers: list[dict] = []
        self.conns: list = []
        self.by_session: dict[str, object] = {}  # session id -> its current socket
        self.sessions = 0
        self.reconnects = 0  # connections made to a reconnect_url
        self.reconnect_mode = "welcome"
        self.welcome_gate: asyncio.Event | None = None
        self.while_pending: str | None = None
        self.last_words: str | None = None
        self.old_grace_s = 30.0
        self.forced_closes = 0  # old sockets the client left open past the grace
        self._tasks: set[asyncio.Task] = set()
        self._n = 0

    def _meta(self, mtype: str, **extra) -> dict:
        self._n += 1
        return {"message_id": f"m-{self._n}", "message_type": mtype, "message_timestamp": "2026-01-01T00:00:00.0Z", **extra}

    def _welcome(self, sid: str) -> str:
        return json.dumps({"metadata": self._meta("session_welcome"), "payload": {"session": {
            "id": sid, "status": "connected", "connected_at": "2026-01-01T00:00:00Z",
            "keepalive_timeout_seconds": self.keepalive_s, "reconnect_url": None}}})

    async def _ws(self, ws) -> None:
        query = parse_qs(urlsplit(ws.request.path).query)
        if "reconnect" in query:
            self.reconnects += 1
            sid = query["reconnect"][0]
            old = self.by_session.get(sid)
            if old is not None and self.while_pending is not None:
                await old.send(self.while_pending)
            if self.reconnect_mode == "close":
                await ws.close()
                return
            if self.reconnect_mode == "silent":
                await ws.wait_closed()
                return
            if self.welcome_gate is not None:
                await self.welcome_gate.wait()
        else:
            self.sessions += 1
            sid, old = f"session-{self.sessions}", None
        await ws.send(self._welcome(sid))
        self.by_session[sid] = ws
        self.conns.append(ws)
        if old is not None:
            if self.last_words is not None:  # in flight on the old socket as the client reads the welcome
                await old.send(self.last_words)
            task = asyncio.create_task(self._expire(old))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        try:
            await ws.wait_closed()
        finally:
            self.conns.remove(ws)

    async def _expire(self, old) -> None:
        await asyncio.sleep(self.old_grace_s)
        if old in self.conns:
            self.forced_closes += 1
            await old.close(4004, "reconnect grace time expired")

    async def _helix(self, req: HttpRequest) -> HttpResponse:
        if req.path != "/helix/eventsub/subscriptions" or req.method != "POST":
            return HttpResponse.json({"error": "Not Found"}, 404)
        body = json.loads(req.body)
        self.subscriptions.append(body)
        self.sub_headers.append(req.headers)
        if not req.headers.get("authorization", "").startswith("Bearer ") or not req.headers.get("client-id"):
            return HttpResponse.json({"error": "Unauthorized", "status": 401}, 401)
        return HttpResponse.json({"data": [{"id": "sub-1", "status": "enabled", **body}], "total": 1}, 202)

    async def start(self) -> "FakeEventSub":
        self._ws_server = await ws_serve(self._ws, "127.0.0.1", 0).__aenter__()
        self.ws_url = f"ws://127.0.0.1:{self._ws_server.sockets[0].getsockname()[1]}/ws"
        self._http = await serve_http(self._helix)
        self.helix_base = f"http://127.0.0.1:{server_port(self._http)}/helix"
        return self

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        self._http.close()
        self._ws_server.close()

    async def send_raw(self, text: str, to=None) -> None:
        """To every open socket, or only to `to` (one socket)."""
        for ws in [to] if to is not None else list(self.conns):
            await ws.send(text)

    def notification(self, i: int, text: str, bits: int = 0, message_id: str | None = None) -> str:
        event = {"broadcaster_user_id": "1971641", "broadcaster_user_login": "shopchan", "broadcaster_user_name": "ShopChan",
                 "chatter_user_id": "4145994", "chatter_user_login": "viewer", "chatter_user_name": "Viewer",
                 "message_id": message_id or f"cc-{i}", "message": {"text": text, "fragments": [{"type": "text", "text": text}]},
                 "color": "#00FF7F", "badges": [], "message_type": "text", "cheer": {"bits": bits} if bits else None,
                 "reply": None, "channel_points_custom_reward_id": None}
        return json.dumps({"metadata": self._meta("notification", subscription_type="channel.chat.message",
                                                   subscription_version="1"),
                           "payload": {"subscription": {"id": "sub-1", "type": "channel.chat.message"}, "event": event}})

    async def notify(self, i: int, text: str, bits: int = 0, message_id: str | None = None, to=None) -> None:
        await self.send_raw(self.notification(i, text, bits, message_id), to)

    async def ask_reconnect(self, sid: str = "session-1") -> None:
        await self.send_raw(json.dumps({"metadata": self._meta("session_reconnect"), "payload": {"session": {
            "id": sid, "status": "reconnecting", "keepalive_timeout_seconds": None, "connected_at": "2026-01-01T00:00:00Z",
            "reconnect_url": f"{self.ws_url}?reconnect={sid}"}}}), self.by_session[sid])


# ---------------------------------------------------------------- YouTube liveChatMessages.list

class FakeYouTube:
    def __init__(self, api_key: str = "AIza-test", polling_ms: int = 50) -> None:
        self.api_key, self.polling_ms = api_key, polling_ms
        self.items: list[dict] = []
        self.requests: list[dict] = []
        self.script: list[str] = []  # per-request misbehaviour: "garbage", "503", "quota", "ended"

    async def _handle(self, req: HttpRequest) -> HttpResponse:
        if req.path != "/youtube/v3/liveChat/messages" or req.method != "GET":
            return HttpResponse.json({"error": {"code": 404, "message": "Not Found"}}, 404)
        q = {k: v[0] for k, v in parse_qs(urlsplit(req.target).query).items()}
        self.requests.append(q)
        if q.get("key") != self.api_key and req.headers.get("authorization") != "Bearer ya29.token":
            return self._error(403, "forbidden", "The request is missing a valid API key.")
        if q.get("part") != "snippet,authorDetails" or not q.get("liveChatId"):
            return self._error(400, "invalidParameter", "bad part or liveChatId")
        mode = self.script.pop(0) if self.script else "ok"
        if mode == "garbage":
            return HttpResponse(200, b"<html>502 Bad Gateway</html>", {"Content-Type": "text/html"})
        if mode == "503":
            return self._error(503, "backendError", "Backend Error")
        if mode == "ended":
            return self._error(403, "liveChatEnded", "The live chat is no longer live.")
        start = int(q.get("pageToken") or 0)
        page = self.items[start:]
        return HttpResponse.json({"kind": "youtube#liveChatMessageListResponse", "etag": "e",
                                  "pollingIntervalMillis": self.polling_ms, "pageInfo": {"totalResults": len(page),
                                  "resultsPerPage": len(page)}, "nextPageToken": str(start + len(page)), "items": page})

    @staticmethod
    def _error(code: int, reason: str, message: str) -> HttpResponse:
        return HttpResponse.json({"error": {"code": code, "message": message, "errors": [
            {"message": message, "domain": "youtube.liveChat", "reason": reason}]}}, code)

    async def start(self) -> "FakeYouTube":
        self._server = await serve_http(self._handle)
        self.api_base = f"http://127.0.0.1:{server_port(self._server)}/youtube/v3"
        return self

    async def close(self) -> None:
        self._server.close()


def yt_text(i: int, text: str) -> dict:
    return {"kind": "youtube#liveChatMessage", "etag": "x", "id": f"LCC.{i}", "snippet": {
        "type": "textMessageEvent", "liveChatId": "chat1", "authorChannelId": f"UC{i % 9}",
        "publishedAt": "2026-01-01T12:00:00.5Z", "hasDisplayContent": True, "displayMessage": text,
        "textMessageDetails": {"messageText": text}},
        "authorDetails": {"channelId": f"UC{i % 9}", "displayName": f"Viewer {i % 9}", "isChatOwner": False}}


def yt_superchat(i: int, micros: int = 5_000_000, currency: str = "USD", comment: str = "Ship to Berlin?") -> dict:
    return {"kind": "youtube#liveChatMessage", "id": f"LCS.{i}", "snippet": {
        "type": "superChatEvent", "liveChatId": "chat1", "authorChannelId": "UCrich",
        "publishedAt": "2026-01-01T12:00:01Z", "displayMessage": f"$5.00 from Rich: {comment}",
        "superChatDetails": {"amountMicros": str(micros), "currency": currency, "amountDisplayString": "$5.00",
                             "userComment": comment, "tier": 2}},
        "authorDetails": {"channelId": "UCrich", "displayName": "Rich"}}


def yt_sponsor(i: int) -> dict:
    return {"kind": "youtube#liveChatMessage", "id": f"LCM.{i}", "snippet": {
        "type": "newSponsorEvent", "liveChatId": "chat1", "authorChannelId": "UCnew",
        "publishedAt": "2026-01-01T12:00:02Z", "displayMessage": "Welcome to Gold!",
        "newSponsorDetails": {"memberLevelName": "Gold", "isUpgrade": False}},
        "authorDetails": {"channelId": "UCnew", "displayName": "Newbie"}}
