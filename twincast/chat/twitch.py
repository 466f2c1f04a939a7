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
(payload.session.reconnect_url), revocation. No message within the keepalive timeout means
reconnect. On session_reconnect, connect to reconnect_url as given while the old socket stays
open (it delivers until the new one is welcomed; Twitch closes it 30 s after the reconnect
message), and close the old one only after the new socket's session_welcome; subscriptions carry
over, so nothing is POSTed again. A notification may arrive on both: Twitch redelivers with the
same metadata.message_id and the same payload.event.message_id. If the new socket does not
welcome in time, we open a fresh session at ws_url and subscribe again, still make-before-break."""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
from dataclasses import dataclass

import websockets

from twincast.chat._http import http_request
from twincast.chat.events import Gift, make_event
from twincast.chat.source import ChatSource, SessionContext

log = logging.getLogger(__name__)

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
                 welcome_timeout_s: float = 10.0, name: str | None = None) -> None:
        super().__init__(name or "twitch-eventsub")
        self.client_id, self.access_token = client_id, access_token
        self.broadcaster_user_id, self.user_id = broadcaster_user_id, user_id
        self.ws_url, self.helix_base = ws_url, helix_base.rstrip("/")
        # Twitch drops the old socket 30 s after session_reconnect: 10 s for the new one to
        # welcome leaves time for a fresh connect and subscription while the old still delivers
        self.welcome_timeout_s = welcome_timeout_s

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

    async def _open(self, url: str):
        """Connect and wait for session_welcome -> (websocket, payload.session)."""
        ws = None
        try:
            async with asyncio.timeout(self.welcome_timeout_s):
                ws = await websockets.connect(url, max_size=1 << 20, open_timeout=None, close_timeout=5)
                msg = json.loads(await ws.recv())
                mtype = msg["metadata"]["message_type"]
                if mtype != "session_welcome":
                    raise ConnectionError(f"EventSub sent {mtype!r} before session_welcome")
                session = msg["payload"]["session"]
                if not isinstance(session, dict) or not isinstance(session.get("id"), str):
                    raise ConnectionError("EventSub session_welcome without a session id")
            return ws, session
        except BaseException as exc:
            if ws is not None:
                await ws.close()
            if isinstance(exc, TimeoutError):
                raise ConnectionError(f"no EventSub session_welcome within {self.welcome_timeout_s:g} s") from exc
            if isinstance(exc, (ValueError, KeyError, TypeError)):
                raise ConnectionError(f"bad EventSub welcome: {type(exc).__name__}") from exc
            raise

    async def session(self, ctx: SessionContext) -> None:
        ws, session = await self._open(self.ws_url)
        try:
            await self._subscribe(session["id"])
            ctx.connected()
            while True:
                url = await self._read(ws, ctx, _keepalive_s(session))
                ws, session = await self._move(ws, url, ctx)
        finally:
            await ws.close()

    async def _read(self, ws, ctx: SessionContext, keepalive_s: float) -> str:
        """Handle frames until session_reconnect; returns its reconnect_url."""
        while True:
            try:
                frame = await asyncio.wait_for(ws.recv(), keepalive_s + 5)
            except asyncio.TimeoutError as exc:
                raise ConnectionError("EventSub keepalive missed") from exc
            url = self._handle(frame, ctx)
            if url:
                return url

    async def _move(self, old, url: str, ctx: SessionContext):
        """Make before break: the old socket keeps delivering until the new one has welcomed us.
        Subscriptions carry over to a reconnect_url session, so there is nothing to POST; if that
        session never welcomes, a fresh session (and subscription) replaces it, still before the
        old one closes. Returns the new (websocket, session); leaves `old` to the caller on failure.

        The same notification may come on both sockets. Every delivery of it carries the same
        event.message_id, which is our msg_id, so the hub's (platform, msg_id) dedupe drops it."""
        draining = asyncio.create_task(self._drain(old, ctx))
        new = None
        try:
            opening = asyncio.create_task(self._open(url))
            await self._await_opening(opening, draining)
            try:
                new, session = opening.result()
            except (OSError, websockets.exceptions.WebSocketException) as exc:
                reason = f"EventSub reconnect_url failed ({type(exc).__name__}: {exc}); connected and subscribed afresh"
                log.warning("%s: %s", self.name, reason)
                fresh = asyncio.create_task(self._open(self.ws_url))
                await self._await_opening(fresh, draining)
                new, session = fresh.result()
                await self._subscribe(session["id"])
                ctx.connected()
                ctx.health.last_error = reason[:300]
            await old.close()
            await draining  # what the old socket had already received comes out before the new one's
            return new, session
        except BaseException:
            draining.cancel()
            await asyncio.gather(draining, return_exceptions=True)
            if new is not None:
                await new.close()
            raise

    @staticmethod
    async def _await_opening(opening: asyncio.Task, draining: asyncio.Task) -> None:
        """Wait for `opening` to finish (it is left to the caller to read), but stop at once and
        raise if reading the old socket fails: a revocation there ends the session."""
        try:
            while not opening.done():
                await asyncio.wait({opening, draining} if not draining.done() else {opening},
                                   return_when=asyncio.FIRST_COMPLETED)
                if draining.done() and not draining.cancelled() and draining.exception() is not None:
                    draining.result()
        finally:
            if not opening.done():
                opening.cancel()
                await asyncio.gather(opening, return_exceptions=True)

    async def _drain(self, old, ctx: SessionContext) -> None:
        try:
            async for frame in old:
                if self._handle(frame, ctx):
                    log.info("%s: another session_reconnect while moving; following the first", self.name)
        except websockets.exceptions.ConnectionClosed:
            pass  # the old socket ending is what we are waiting for

    def _handle(self, frame, ctx: SessionContext) -> str | None:
        """One frame: emit notifications, raise on revocation; a session_reconnect's URL is returned."""
        try:
            msg = json.loads(frame)
            mtype = msg["metadata"]["message_type"]
            payload = msg["payload"]
        except (ValueError, KeyError, TypeError) as exc:
            ctx.reject(f"bad EventSub frame: {type(exc).__name__}")
            return None
        if mtype == "notification":
            try:
                ev = map_eventsub(payload["event"], ctx.wall_s())
            except (KeyError, TypeError, ValueError) as exc:
                ctx.reject(f"bad notification: {type(exc).__name__}: {exc}"[:200])
                return None
            ctx.emit(ev)
        elif mtype == "session_reconnect":
            try:
                url = payload["session"]["reconnect_url"]
            except (KeyError, TypeError) as exc:
                ctx.reject(f"bad session_reconnect: {type(exc).__name__}")
                return None
            if not isinstance(url, str) or not url.startswith(("wss://", "ws://")):
                ctx.reject(f"bad session_reconnect: reconnect_url {str(url)[:80]!r}")
                return None
            return url
        elif mtype == "revocation":
            sub = payload.get("subscription") if isinstance(payload, dict) else None
            raise PermissionError(f"EventSub subscription revoked: {sub.get('status') if isinstance(sub, dict) else '?'}")
        return None


def _keepalive_s(session: dict) -> float:
    try:
        return float(session.get("keepalive_timeout_seconds") or 10)
    except (TypeError, ValueError):
        return 10.0
