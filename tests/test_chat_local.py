"""Local chat (HTTP POST, WebSocket, console) and the grabber bridge."""

from __future__ import annotations

import asyncio
import io
import json

import websockets

from fake_chat_servers import until
from twincast.chat import Backoff, ChatHub
from twincast.chat._http import http_request
from twincast.chat.bridge import BridgeSource
from twincast.chat.local import ConsoleSource, LocalSource


def post(port: int, body: bytes, token: str | None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return http_request("POST", f"http://127.0.0.1:{port}/chat", headers, body)


def test_http_and_websocket_with_token():
    async def go():
        src = LocalSource(token="t0k")
        async with ChatHub([src], backoff=lambda: Backoff(0.05, 0.2)) as hub:
            await asyncio.wait_for(src.ready.wait(), 5)
            r = await post(src.http_port, json.dumps({"user": "小王", "text": "多少钱？"}).encode(), "t0k")
            assert r.status == 200 and r.json_body()["ok"]
            full = {"kind": "gift", "id": "g1", "user": {"id": "u9", "name": "Ann"}, "text": "",
                    "gift": {"name": "rocket", "count": 1, "value": 50, "currency": "CNY"}}
            assert (await post(src.http_port, json.dumps(full).encode(), "t0k")).status == 200
            assert (await post(src.http_port, json.dumps(full).encode(), "t0k")).status == 200  # duplicate id
            assert (await post(src.http_port, b'{"text": "hi"}', "wrong")).status == 401
            assert (await post(src.http_port, b'{"text": "hi"}', None)).status == 401
            assert (await post(src.http_port, b"{garbage", "t0k")).status == 400
            assert (await post(src.http_port, b'{"kind": "bribe"}', "t0k")).status == 400
            assert (await post(src.http_port, b'{"text": 5.5}', "t0k")).status == 400
            url = f"ws://127.0.0.1:{src.ws_port}/chat"
            try:
                async with websockets.connect(url) as ws:
                    await ws.recv()
                raise AssertionError("websocket without a token was accepted")
            except websockets.InvalidStatus as exc:
                assert exc.response.status_code == 401
            async with websockets.connect(url + "?token=t0k") as ws:
                for frame in ['{"user": "amy", "text": ""}', '{"user": "amy", "text": "' + "z" * 5000 + '"}',
                              "[1, 2]", '{"user": "amy", "text": "💯"}']:
                    await ws.send(frame)
                replies = [json.loads(await ws.recv()) for _ in range(4)]
            assert [r["ok"] for r in replies] == [True, True, False, True]
            got = [await hub.get() for _ in range(5)]
            h = hub.health()["local"]
            assert h.rejected == 7 and h.duplicates == 1 and h.failures == 0
        assert (got[0].user.name, got[0].text, got[0].kind) == ("小王", "多少钱？", "chat")
        assert got[1].kind == "gift" and got[1].gift.value == 50 and got[1].user.id == "u9"
        assert got[2].text == "" and len(got[3].text) == 500 and got[4].text == "💯"

    asyncio.run(asyncio.wait_for(go(), 15))


def test_console_lines_until_eof():
    async def go():
        stream = io.StringIO("小王: 有货吗\n\njust text\n")
        async with ChatHub([ConsoleSource(stream)]) as hub:
            a, b = await hub.get(), await hub.get()
            await until(lambda: hub.health()["console"].state == "finished")
        assert (a.user.name, a.text) == ("小王", "有货吗") and (b.user.name, b.text) == ("operator", "just text")

    asyncio.run(asyncio.wait_for(go(), 10))


def test_bridge_is_validated_and_never_trusted_with_money():
    async def go():
        src = BridgeSource(token="br")
        async with ChatHub([src], backoff=lambda: Backoff(0.05, 0.2)) as hub:
            await asyncio.wait_for(src.ready.wait(), 5)
            async with websockets.connect(f"ws://127.0.0.1:{src.port}/", additional_headers={"Authorization": "Bearer br"}) as ws:
                frames = [
                    {"v": 1, "platform": "douyin-web", "kind": "chat", "id": "7301", "user": {"id": "u1", "name": "小王"},
                     "text": "还有货吗\u202e", "ts": 1767225600.0},
                    {"v": 1, "platform": "douyin-web", "kind": "gift", "id": "7302", "user": "土豪",
                     "gift": {"name": "火箭", "count": 1, "value": 99999, "currency": "CNY"}},
                    {"v": 1, "platform": "douyin-web", "kind": "superchat", "id": "7303", "text": "buy priority"},
                    {"v": 1, "platform": "../etc", "text": "x"},
                    {"v": 2, "platform": "x", "text": "x"},
                    {"v": 1, "platform": "douyin-web", "kind": "chat", "id": "7301", "text": "dup"},
                ]
                for f in frames:
                    await ws.send(json.dumps(f))
                await ws.send("garbage{")
                replies = [json.loads(await ws.recv()) for _ in range(7)]
            assert [r["ok"] for r in replies] == [True, True, False, False, False, True, False]
            a, g = await hub.get(), await hub.get()
            h = hub.health()["bridge"]
            assert h.rejected == 4 and h.duplicates == 1 and hub.queue.empty()
        assert a.platform == "bridge:douyin-web" and a.text == "还有货吗" and a.raw["untrusted"]
        assert g.kind == "gift" and g.gift.value == 0.0 and g.gift.currency == ""

    asyncio.run(asyncio.wait_for(go(), 15))
