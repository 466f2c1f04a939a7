"""Douyin live data push: the test plays the platform and POSTs signed webhooks."""

from __future__ import annotations

import asyncio

from fake_chat_servers import douyin_push, dy_comment, dy_gift, dy_like, until
from twincast.chat import Backoff, ChatHub
from twincast.chat.douyin import DouyinWebhookSource, douyin_signature

SECRET = "dy-secret"


def test_signature_matches_the_documented_example():
    h = {"x-nonce-str": "123456", "x-timestamp": "456789", "x-roomid": "268", "x-msg-type": "live_gift"}
    assert douyin_signature(h, "abc123你好".encode(), "123abc") == "PDcKhdlsrKEJif6uMKD2dw=="


async def started():
    src = DouyinWebhookSource(SECRET)
    hub = await ChatHub([src], queue_size=400, backoff=lambda: Backoff(0.05, 0.2)).start()
    await asyncio.wait_for(src.ready.wait(), 5)
    return src, hub, f"http://127.0.0.1:{src.port}/douyin/live"


def test_pushes_are_normalised_and_redeliveries_dropped():
    async def go():
        src, hub, url = await started()
        r = await douyin_push(url, SECRET, "live_comment", [dy_comment(1, "还有货吗？"), dy_comment(2, ""),
                                                            dy_comment(3, "长" * 5000), dy_comment(4, "🙏🙏")])
        assert r.status == 200 and r.json_body()["err_no"] == 0
        assert (await douyin_push(url, SECRET, "live_gift", [dy_gift(1, num=3, value_fen=300)])).status == 200
        assert (await douyin_push(url, SECRET, "live_like", [dy_like(1, 12)])).status == 200
        assert (await douyin_push(url, SECRET, "live_comment", [dy_comment(1, "还有货吗？")], nonce="retry")).status == 200
        got = [await hub.get() for _ in range(6)]
        c = got[0]
        assert (c.platform, c.kind, c.msg_id, c.text, c.user.id, c.ts) == ("douyin", "chat", "c1", "还有货吗？", "so1", 1767225600.123)
        assert got[1].text == "" and len(got[2].text) == 500 and got[3].text == "🙏🙏"
        assert got[4].kind == "gift" and got[4].gift.count == 3 and got[4].gift.value == 3.0 and got[4].gift.currency == "CNY"
        assert got[5].kind == "like" and got[5].like_count == 12
        assert hub.health()["douyin"].duplicates == 1 and hub.queue.empty()
        await hub.aclose()

    asyncio.run(asyncio.wait_for(go(), 15))


def test_bad_signatures_and_garbage_are_refused_and_counted():
    async def go():
        src, hub, url = await started()
        assert (await douyin_push(url, SECRET, "live_comment", [dy_comment(1)], tamper=True)).status == 401
        assert (await douyin_push(url, "other-secret", "live_comment", [dy_comment(2)])).status == 401
        assert (await douyin_push(url, SECRET, "live_comment", None, body=b"{garbage")).status == 400
        assert (await douyin_push(url, SECRET, "live_comment", None, body=b'{"not": "an array"}')).status == 400
        assert (await douyin_push(url, SECRET, "live_comment", [{"content": "no msg_id"}, "str", dy_comment(5)])).status == 200
        assert (await douyin_push(url, SECRET, "live_unknown", [{"msg_id": "z"}])).status == 200  # no retry storm
        e = await hub.get()
        h = hub.health()["douyin"]
        assert e.msg_id == "c5" and h.rejected == 7 and h.events == 1 and h.failures == 0 and h.state == "live"
        await hub.aclose()

    asyncio.run(asyncio.wait_for(go(), 15))


def test_flood_is_bounded_and_keeps_the_valuable():
    async def go():
        src, hub, url = await started()
        for b in range(50):  # 10,000 items in 50 pushes of 200, as Douyin batches them
            base = b * 200
            await douyin_push(url, SECRET, "live_like", [dy_like(base + j) for j in range(170)])
            await douyin_push(url, SECRET, "live_comment", [dy_comment(base + j) for j in range(28)])
            await douyin_push(url, SECRET, "live_gift", [dy_gift(base + j) for j in range(2)])
        h = hub.health()["douyin"]
        assert h.events == 10_000 and hub.queue.qsize() == 400 and h.dropped == 9_600
        kinds = [hub.queue.get_nowait().kind for _ in range(400)]
        assert kinds.count("gift") == 100 and kinds.count("chat") == 300
        await hub.aclose()

    asyncio.run(asyncio.wait_for(go(), 18))


def test_port_in_use_backs_off_and_recovers():
    async def go():
        blocker = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
        port = blocker.sockets[0].getsockname()[1]
        src = DouyinWebhookSource(SECRET, port=port)
        async with ChatHub([src], backoff=lambda: Backoff(0.05, 0.1)) as hub:
            await until(lambda: hub.health()["douyin"].failures >= 2, what="bind failures")
            assert "address" in hub.health()["douyin"].last_error.lower() or "Errno" in hub.health()["douyin"].last_error
            blocker.close()
            await blocker.wait_closed()
            await asyncio.wait_for(src.ready.wait(), 5)
            r = await douyin_push(f"http://127.0.0.1:{port}/douyin/live", SECRET, "live_comment", [dy_comment(1)])
            assert r.status == 200 and (await hub.get()).msg_id == "c1"

    asyncio.run(asyncio.wait_for(go(), 15))
