"""YouTube live chat by polling `liveChatMessages.list` (YouTube Data API v3).

GET {api}/liveChat/messages?liveChatId=..&part=snippet,authorDetails&maxResults=2000
[&pageToken=..][&key=API_KEY] (or `Authorization: Bearer <OAuth token>`). The reply has
items[], nextPageToken, pollingIntervalMillis (wait at least this long before the next
call: polling faster burns quota and gets rateLimitExceeded) and offlineAt when the chat
is over. Items: id, snippet.type (textMessageEvent, superChatEvent, superStickerEvent,
newSponsorEvent, memberMilestoneChatEvent, messageDeletedEvent, chatEndedEvent, ...),
snippet.publishedAt (RFC 3339), snippet.displayMessage, textMessageDetails.messageText,
superChatDetails.{amountMicros, currency, userComment}, newSponsorDetails.memberLevelName,
authorDetails.{channelId, displayName}. Errors: 403 liveChatEnded / liveChatDisabled,
404 liveChatNotFound (stop), 403 quota/rate limits (back off).

The page token survives reconnects, so a transient error does not replay the backlog."""

from __future__ import annotations

import datetime as dt
import json
import os
from urllib.parse import urlencode

from twincast.chat._http import http_request
from twincast.chat.events import Gift, make_event
from twincast.chat.source import ChatSource, SessionContext

FINAL_REASONS = {"liveChatEnded", "liveChatDisabled", "liveChatNotFound"}


def _ts(s: str | None) -> float:
    if not s:
        return 0.0
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def map_item(item: dict):
    sn = item["snippet"]
    au = item.get("authorDetails") or {}
    uid = au.get("channelId") or sn.get("authorChannelId", "")
    name = au.get("displayName", "")
    t = sn["type"]
    ts = _ts(sn.get("publishedAt"))
    raw = {"item": item}
    mid = item["id"]
    if t == "textMessageEvent":
        text = (sn.get("textMessageDetails") or {}).get("messageText", sn.get("displayMessage", ""))
        return make_event("youtube", "chat", mid, uid, name, text, ts=ts, raw=raw)
    if t in ("superChatEvent", "superStickerEvent"):
        d = sn.get("superChatDetails") or sn.get("superStickerDetails") or {}
        gift = Gift("super_sticker" if t == "superStickerEvent" else "super_chat", 1,
                    int(d.get("amountMicros", 0)) / 1e6, str(d.get("currency", "")))
        return make_event("youtube", "superchat", mid, uid, name, d.get("userComment", ""), gift=gift, ts=ts, raw=raw)
    if t == "newSponsorEvent":
        level = (sn.get("newSponsorDetails") or {}).get("memberLevelName", "") or "member"
        # a paid membership, but the price is not in the message: a gift of unknown value
        return make_event("youtube", "gift", mid, uid, name, sn.get("displayMessage", ""),
                          gift=Gift(f"membership:{level}", 1, 0.0, ""), ts=ts, raw=raw)
    if t == "memberMilestoneChatEvent":
        text = (sn.get("memberMilestoneChatDetails") or {}).get("userComment", "")
        return make_event("youtube", "chat", mid, uid, name, text, ts=ts, raw=raw)
    return make_event("youtube", "system", mid, uid, name, sn.get("displayMessage", t), ts=ts, raw=raw)


class ChatEnded(Exception):
    pass


class YouTubeLiveChatSource(ChatSource):
    platform = "youtube"
    finite = True  # a finished chat ends the source; errors still retry with backoff

    def __init__(self, live_chat_id: str, *, api_key_env: str | None = "YOUTUBE_API_KEY",
                 oauth_token_env: str | None = None, api_base: str = "https://www.googleapis.com/youtube/v3",
                 min_interval_s: float = 1.0, name: str | None = None) -> None:
        super().__init__(name)
        self.live_chat_id = live_chat_id
        self.api_key_env, self.oauth_token_env = api_key_env, oauth_token_env
        self.api_base = api_base.rstrip("/")
        self.min_interval_s = min_interval_s
        self.page_token = ""
        self.interval_s = min_interval_s

    def _request(self) -> tuple[str, dict[str, str]]:
        q = {"liveChatId": self.live_chat_id, "part": "snippet,authorDetails", "maxResults": "2000"}
        if self.page_token:
            q["pageToken"] = self.page_token
        headers = {"Accept": "application/json"}
        token = os.environ.get(self.oauth_token_env, "") if self.oauth_token_env else ""
        if token:
            headers["Authorization"] = f"Bearer {token}"
        else:
            key = os.environ.get(self.api_key_env, "") if self.api_key_env else ""
            if not key:
                raise PermissionError(f"set {self.api_key_env or self.oauth_token_env} to a YouTube API key or token")
            q["key"] = key
        return f"{self.api_base}/liveChat/messages?{urlencode(q)}", headers

    async def session(self, ctx: SessionContext) -> None:
        first = True
        while True:
            url, headers = self._request()
            resp = await http_request("GET", url, headers)
            try:
                reply = json.loads(resp.body.decode("utf-8"))
                if not isinstance(reply, dict):
                    raise ValueError("not an object")
            except (ValueError, UnicodeDecodeError) as exc:
                if resp.status != 200:
                    raise ConnectionError(f"HTTP {resp.status}") from exc
                ctx.reject(f"garbage JSON: {exc}"[:200])  # try again next interval: no reconnect needed
                await self._wait(ctx)
                continue
            if resp.status != 200:
                err = reply.get("error") or {}
                reasons = {e.get("reason") for e in err.get("errors", []) if isinstance(e, dict)}
                if reasons & FINAL_REASONS:
                    return  # the chat is over (finite: the hub marks it finished)
                raise ConnectionError(f"HTTP {resp.status} {sorted(r for r in reasons if r)} {err.get('message', '')}"[:300])
            if first:
                ctx.connected()
                first = False
            for item in reply.get("items") or []:
                try:
                    ev = map_item(item)
                except (KeyError, TypeError, ValueError, AttributeError) as exc:
                    ctx.reject(f"bad item: {type(exc).__name__}: {exc}"[:200])
                    continue
                ctx.emit(ev)
                if item.get("snippet", {}).get("type") == "chatEndedEvent":
                    return
            self.page_token = str(reply.get("nextPageToken") or self.page_token)
            if reply.get("offlineAt"):
                return
            interval_ms = reply.get("pollingIntervalMillis")
            self.interval_s = max(self.min_interval_s, interval_ms / 1000.0 if isinstance(interval_ms, (int, float)) else 0.0)
            await self._wait(ctx)

    async def _wait(self, ctx: SessionContext) -> None:
        await ctx.clock.sleep_until_ns(ctx.clock.now_ns() + int(self.interval_s * 1e9))
