"""Twitch chat: IRC/TMI over TCP (the route anyone can use) and EventSub over WebSocket.

IRC (dev.twitch.tv/docs/chat/irc): send `CAP REQ :twitch.tv/tags twitch.tv/commands`,
`PASS oauth:<token>` (omitted for anonymous `justinfan` nicks), `NICK`, `JOIN #channel`.
Lines are `@tags :prefix COMMAND params :trailing` with IRCv3 tag escaping (\\s \\: \\\\ \\r \\n).
PING -> PONG with the same argument; PRIVMSG carries tags id, display-name, user-id, bits
(a cheer); USERNOTICE msg-id sub/resub/subgift; RECONNECT asks us to reconnect. The server
PINGs about every 5 minutes, so silence past `idle_timeout_s` means a dead connection.

EventSub (dev.twitch.tv/docs/eventsub/handling-websocket-events): connect, receive
session_welcome (payload.session.id, keepalive_timeout_seconds), then within 10 s POST
{helix}/eventsub/subscriptions with type channel.chat.message version 1, condition
{broadcaster_user_id, user_id}, transport {method: websocket, session_id}. Messages have
metadata.message_id / message_type: session_keepalive, notification (payload.event:
message_id, chatter_user_id, chatter_user_name, message.text, cheer.bits), session_reconnect
(payload.session.reconnect_url: connect there; subscriptions carry over), revocation.
No message within the keepalive timeout means reconnect."""

from __future__ import annotations

import asyncio
import json
import ssl
from dataclasses import dataclass

import websockets

from twincast.chat._http import http_request
from twincast.chat.events import Gift, make_event
from twincast.chat.source import ChatSource, SessionContext

_UNESCAPE = {"s": " ", ":": ";", "\\": "\\", "r": "\r", "n": "\n"}
MAX_LINE_BYTES = 16 * 1024


def unescape_tag(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value):
            out.append(_UNESCAPE.get(value[i + 1], value[i + 1]))
            i += 2
            continue
        if ch != "\\":  # a trailing lone backslash is dropped, per IRCv3
            out.append(ch)
        i += 1
    return "".join(out)


@dataclass(slots=True)
class IrcLine:
    tags: dict[str, str]
    prefix: str
    command: str
    params: list[str]


def parse_irc(line: str) -> IrcLine:
    tags: dict[str, str] = {}
    prefix = ""
    rest = line
    if rest.startswith("@"):
        raw_tags, _, rest = rest[1:].partition(" ")
        for part in raw_tags.split(";"):
            k, _, v = part.partition("=")
            tags[k] = unescape_tag(v)
    rest = rest.lstrip(" ")
    if rest.startswith(":"):
        prefix, _, rest = rest[1:].partition(" ")
    rest = rest.lstrip(" ")
    trailing = None
    if " :" in rest:
        rest, trailing = rest.split(" :", 1)
    elif rest.startswith(":"):
        rest, trailing = "", rest[1:]
    parts = rest.split()
    if not parts:
        raise ValueError("no command")
    params = parts[1:] + ([trailing] if trailing is not None else [])
    return IrcLine(tags, prefix, parts[0].upper(), params)


def map_irc(msg: IrcLine, now_s: float):
    t = msg.tags
    ts = int(t["tmi-sent-ts"]) / 1000.0 if t.get("tmi-sent-ts", "").isdigit() else now_s
    login = msg.prefix.split("!", 1)[0]
    uid = t.get("user-id") or login
    name = t.get("display-name") or login
    raw = {"tags": t, "command": msg.command, "params": msg.params}
    if msg.command == "PRIVMSG":
        text = msg.params[-1] if len(msg.params) >= 2 else ""
        if text.startswith("\x01ACTION ") and text.endswith("\x01"):
            text = text[8:-1]  # /me
        mid = t.get("id") or ""
        bits = int(t["bits"]) if t.get("bits", "").isdigit() else 0
        if bits:  # 100 bits = 1.00 USD to the buyer (Twitch's price; the streamer gets $0.01 per bit)
            return make_event("twitch", "gift", mid, uid, name, text, gift=Gift("bits", bits, bits / 100.0, "USD"), ts=ts, raw=raw)
        return make_event("twitch", "chat", mid, uid, name, text, ts=ts, raw=raw)
    if msg.command == "USERNOTICE":
        kind_id = t.get("msg-id", "")
        text = msg.params[-1] if len(msg.params) >= 2 else t.get("system-msg", "")
        if kind_id in ("sub", "resub", "subgift", "submysterygift"):
            count = int(t.get("msg-param-mass-gift-count", "1") or 1) if kind_id == "submysterygift" else 1
            return make_event("twitch", "gift", t.get("id", ""), uid, name, text,
                              gift=Gift(kind_id, count, 0.0, "USD"), ts=ts, raw=raw)
        return make_event("twitch", "system", t.get("id", ""), uid, name, t.get("system-msg", text), ts=ts, raw=raw)
    return None


class TwitchReconnect(Exception):
    pass


class TwitchIrcSource(ChatSource):
    platform = "twitch"

    def __init__(self, channel: str, *, nick: str = "justinfan31337", oauth_token: str | None = None,
                 host: str = "irc.chat.twitch.tv", port: int = 6697, tls: bool = True,
                 idle_timeout_s: float = 360.0, name: str | None = None) -> None:
        super().__init__(name)
        self.channel = channel.lstrip("#").lower()
        self.nick, self.oauth_token = nick.lower(), oauth_token
        self.host, self.port, self.tls = host, port, tls
        self.idle_timeout_s = idle_timeout_s

    async def session(self, ctx: SessionContext) -> None:
        ssl_ctx = ssl.create_default_context() if self.tls else None
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(self.host, self.port, ssl=ssl_ctx, limit=MAX_LINE_BYTES), 10)

        async def send(line: str) -> None:
            writer.write((line + "\r\n").encode())
            await writer.drain()

        try:
            await send("CAP REQ :twitch.tv/tags twitch.tv/commands")
            if self.oauth_token:
                tok = self.oauth_token
                await send("PASS " + (tok if tok.startswith("oauth:") else "oauth:" + tok))
            await send(f"NICK {self.nick}")
            await send(f"JOIN #{self.channel}")
            while True:
                try:
                    data = await asyncio.wait_for(reader.readuntil(b"\n"), self.idle_timeout_s)
                except asyncio.LimitOverrunError:
                    ctx.reject("line longer than the limit")
                    await reader.read(MAX_LINE_BYTES)  # skip what is buffered; the rest of the line fails to parse
                    continue
                except asyncio.IncompleteReadError as exc:
                    raise ConnectionError("server closed the connection") from exc
                except asyncio.TimeoutError as exc:
                    raise ConnectionError(f"no data for {self.idle_timeout_s:.0f} s") from exc
                line = data.decode("utf-8", "replace").rstrip("\r\n")
                if not line:
                    continue
                try:
                    msg = parse_irc(line)
                except ValueError as exc:
                    ctx.reject(f"unparseable line: {exc}")
                    continue
                cmd = msg.command
                if cmd == "PING":
                    await send("PONG :" + (msg.params[-1] if msg.params else "tmi.twitch.tv"))
                elif cmd == "JOIN" and msg.prefix.split("!", 1)[0].lower() == self.nick:
                    ctx.connected()
                elif cmd == "NOTICE" and "authentication failed" in (msg.params[-1] if msg.params else "").lower():
                    raise PermissionError("Twitch refused the login: check the OAuth token")
                elif cmd == "RECONNECT":
                    raise TwitchReconnect("Twitch asked us to reconnect")
                elif cmd in ("PRIVMSG", "USERNOTICE"):
                    try:
                        ev = map_irc(msg, ctx.wall_s())
                    except (ValueError, KeyError) as exc:
                        ctx.reject(f"bad {cmd}: {exc}")
                        continue
                    if ev is not None:
                        ctx.emit(ev)
        finally:
            writer.close()


def map_eventsub(event: dict, now_s: float):
    msg = event.get("message") or {}
    text = msg.get("text", "")
    if not isinstance(text, str):
        raise TypeError("message.text is not a string")
    uid, name = event["chatter_user_id"], event.get("chatter_user_name") or event.get("chatter_user_login", "")
    raw = {"event": event}
    cheer = event.get("cheer") or {}
    bits = int(cheer.get("bits") or 0) if isinstance(cheer, dict) else 0
    if bits:
        return make_event("twitch", "gift", event["message_id"], uid, name, text,
                          gift=Gift("bits", bits, bits / 100.0, "USD"), ts=now_s, raw=raw)
    return make_event("twitch", "chat", event["message_id"], uid, name, text, ts=now_s, raw=raw)


class TwitchEventSubSource(ChatSource):
    platform = "twitch"

    def __init__(self, client_id: str, access_token: str, broadcaster_user_id: str, user_id: str, *,
                 ws_url: str = "wss://eventsub.wss.twitch.tv/ws", helix_base: str = "https://api.twitch.tv/helix",
                 name: str | None = None) -> None:
        super().__init__(name or "twitch-eventsub")
        self.client_id, self.access_token = client_id, access_token
        self.broadcaster_user_id, self.user_id = broadcaster_user_id, user_id
        self.ws_url, self.helix_base = ws_url, helix_base.rstrip("/")

    async def _subscribe(self, session_id: str) -> None:
        body = json.dumps({
            "type": "channel.chat.message", "version": "1",
            "condition": {"broadcaster_user_id": self.broadcaster_user_id, "user_id": self.user_id},
            "transport": {"method": "websocket", "session_id": session_id},
        }).encode()
        headers = {"Authorization": f"Bearer {self.access_token}", "Client-Id": self.client_id,
                   "Content-Type": "application/json"}
        resp = await http_request("POST", self.helix_base + "/eventsub/subscriptions", headers, body)
        if resp.status != 202:
            raise PermissionError(f"EventSub subscription refused: HTTP {resp.status} {resp.body[:200]!r}")

    async def session(self, ctx: SessionContext) -> None:
        url, subscribed = self.ws_url, False
        while True:  # loops only to follow session_reconnect
            async with websockets.connect(url, max_size=1 << 20, open_timeout=10) as ws:
                keepalive_s = 10.0
                while True:
                    try:
                        frame = await asyncio.wait_for(ws.recv(), keepalive_s + 5)
                    except asyncio.TimeoutError as exc:
                        raise ConnectionError("EventSub keepalive missed") from exc
                    try:
                        msg = json.loads(frame)
                        mtype = msg["metadata"]["message_type"]
                        payload = msg["payload"]
                    except (ValueError, KeyError, TypeError) as exc:
                        ctx.reject(f"bad EventSub frame: {type(exc).__name__}")
                        continue
                    if mtype == "session_welcome":
                        session = payload["session"]
                        keepalive_s = float(session.get("keepalive_timeout_seconds") or 10)
                        if not subscribed:
                            await self._subscribe(session["id"])
                            subscribed = True
                            ctx.connected()
                    elif mtype == "notification":
                        try:
                            ev = map_eventsub(payload["event"], ctx.wall_s())
                        except (KeyError, TypeError, ValueError) as exc:
                            ctx.reject(f"bad notification: {type(exc).__name__}: {exc}"[:200])
                            continue
                        ctx.emit(ev)
                    elif mtype == "session_reconnect":
                        url = payload["session"]["reconnect_url"]
                        break  # open the new connection; the old one closes on leaving the block
                    elif mtype == "revocation":
                        raise PermissionError(f"EventSub subscription revoked: {payload.get('subscription', {}).get('status')}")
