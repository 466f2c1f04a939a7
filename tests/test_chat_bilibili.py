"""Bilibili open-live against a fake that checks signatures and speaks the packet protocol."""

from __future__ import annotations

import asyncio
import json
import zlib

from fake_chat_servers import FakeBilibili, bili_dm, bili_gift, bili_like, bili_packet, until
from twincast.chat import Backoff, ChatHub
from twincast.chat.bilibili import BilibiliOpenLiveSource, PacketError, signature, unpack


def source(fake: FakeBilibili, secret: str | None = None, heartbeat_s: float = 0.05) -> BilibiliOpenLiveSource:
    return BilibiliOpenLiveSource(fake.app_id, fake.key_id, secret or fake.secret, fake.code,
                                  api_base=fake.api_base, heartbeat_s=heartbeat_s)


def run(coro, timeout_s: float = 15):
    asyncio.run(asyncio.wait_for(coro, timeout_s))


def test_signature_string_is_sorted_x_bili_headers():
    h = {"x-bili-timestamp": "1", "x-bili-accesskeyid": "a", "Content-Type": "application/json"}
    import hashlib, hmac

    want = hmac.new(b"k", b"x-bili-accesskeyid:a\nx-bili-timestamp:1", hashlib.sha256).hexdigest()
    assert signature(h, "k") == want


def test_packets_split_zlib_and_reject_garbage():
    inner = bili_packet(5, b'{"a":1}') + bili_packet(5, b'{"b":2}')
    frame = bili_packet(3, b"\x00\x00\x00\x01") + bili_packet(5, zlib.compress(inner), ver=2)
    assert unpack(frame) == [(3, b"\x00\x00\x00\x01"), (5, b'{"a":1}'), (5, b'{"b":2}')]
    for bad in [b"\x00" * 7, bili_packet(5, b"xx")[:-1], bili_packet(5, b"not zlib", ver=2),
                b"\x00\x00\x00\x05\x00\x10\x00\x00\x00\x00\x00\x05\x00\x00\x00\x00",
                bili_packet(5, zlib.compress(b"\0" * (9 << 20)), ver=2)]:
        try:
            unpack(bad)
        except PacketError:
            continue
        raise AssertionError(f"accepted {bad[:20]!r}")


def test_events_come_out_normalised_deduped_and_heartbeats_flow():
    async def go():
        fake = await FakeBilibili().start()
        src = source(fake)
        async with ChatHub([src], backoff=lambda: Backoff(0.05, 0.2)) as hub:
            await until(lambda: fake.conns, what="websocket auth")
            assert fake.calls[0] == ("/v2/app/start", {"code": "IDCODE", "app_id": 1650})
            sc = {"cmd": "LIVE_OPEN_PLATFORM_SUPER_CHAT", "data": {"room_id": 1, "open_id": "o9", "uname": "SC",
                  "message_id": 77, "message": "能发国外吗", "rmb": 30, "timestamp": 1650717900, "msg_id": "sc-77"}}
            enter = {"cmd": "LIVE_OPEN_PLATFORM_LIVE_ROOM_ENTER", "data": {"room_id": 1, "open_id": "o8",
                     "uname": "路人", "timestamp": 1650717901}}
            await fake.push([bili_dm(1, "这个多少钱？"), bili_gift(1), bili_like(1), sc, enter, bili_dm(1, "这个多少钱？")])
            await fake.push([bili_dm(2, ""), bili_dm(3, "x" * 5000), bili_dm(4, "😂😂😂")], ver=0)
            got = [await hub.get() for _ in range(8)]
            await until(lambda: fake.ws_heartbeats >= 2 and any(c[0] == "/v2/app/heartbeat" for c in fake.calls),
                        what="heartbeats")
            h = hub.health()["bilibili"]
            assert h.duplicates == 1 and h.state == "live" and h.connects == 1
        dm, gift, like, scev, ent = got[:5]
        assert (dm.kind, dm.text, dm.user.id, dm.msg_id, dm.ts) == ("chat", "这个多少钱？", "oid-1", "dm-1", 1650717881.0)
        assert gift.kind == "gift" and gift.gift.name == "小花花" and gift.gift.count == 2 and gift.gift.value == 2.0
        assert like.kind == "like" and like.like_count == 3
        assert scev.kind == "superchat" and scev.gift.value == 30 and scev.text == "能发国外吗"
        assert ent.kind == "enter" and ent.msg_id == "enter-o8-1650717901"
        assert [e.text for e in got[5:]][0] == "" and len(got[6].text) == 500 and got[7].text == "😂😂😂"
        assert json.loads(fake.auths[0]) == json.loads(fake.auth_body)
        await until(lambda: any(c[0] == "/v2/app/end" for c in fake.calls), what="app/end")
        await fake.close()

    run(go())


def test_malformed_frames_are_counted_and_the_source_lives_on():
    async def go():
        fake = await FakeBilibili().start()
        async with ChatHub([source(fake)], backoff=lambda: Backoff(0.05, 0.2)) as hub:
            await until(lambda: fake.conns)
            for ws in fake.conns:
                await ws.send("a text frame")
            await fake.send_frame(b"\x01\x02\x03")
            await fake.send_frame(bili_packet(5, b"{not json"))
            await fake.send_frame(bili_packet(5, b'{"cmd": "LIVE_OPEN_PLATFORM_DM", "data": {"msg": "no id"}}'))
            await fake.send_frame(bili_packet(5, zlib.compress(b"garbage inside"), ver=2))
            await fake.push([bili_dm(9, "still here")])
            e = await hub.get()
            h = hub.health()["bilibili"]
            assert e.text == "still here" and h.rejected == 5 and h.failures == 0 and h.connects == 1
        await fake.close()

    run(go())


def test_bad_secret_fails_start_and_backs_off():
    async def go():
        fake = await FakeBilibili().start()
        async with ChatHub([source(fake, secret="wrong")], backoff=lambda: Backoff(0.05, 0.1)) as hub:
            await until(lambda: hub.health()["bilibili"].failures >= 2)
            h = hub.health()["bilibili"]
            assert fake.bad_signatures >= 2 and "4102" in h.last_error and h.connects == 0 and h.next_retry_s > 0
        await fake.close()

    run(go())


def test_dropped_connection_reconnects_with_backoff():
    async def go():
        fake = await FakeBilibili().start()
        async with ChatHub([source(fake)], backoff=lambda: Backoff(0.05, 0.2)) as hub:
            await until(lambda: fake.conns)
            await fake.drop()
            await until(lambda: hub.health()["bilibili"].connects == 2 and fake.conns, what="reconnect")
            await fake.push([bili_dm(5, "back again")])
            assert (await hub.get()).text == "back again"
            h = hub.health()["bilibili"]
            assert h.failures == 1 and h.state == "live" and h.last_error
            assert [c[0] for c in fake.calls].count("/v2/app/start") == 2
        await fake.close()

    run(go())


def test_a_flood_of_10000_per_minute_is_bounded_and_keeps_gifts_and_chat():
    async def go():
        fake = await FakeBilibili().start()
        async with ChatHub([source(fake)], queue_size=300, backoff=lambda: Backoff(0.05, 0.2)) as hub:
            await until(lambda: fake.conns)
            n = 0
            for batch in range(100):  # 100 frames x 100 messages
                msgs = []
                for j in range(100):
                    n += 1
                    msgs.append(bili_gift(n) if j == 0 else bili_dm(n) if j < 5 else bili_like(n))
                await fake.push(msgs)
            await until(lambda: hub.health()["bilibili"].events == 10_000, what="all 10,000 in")
            h = hub.health()["bilibili"]
            assert hub.queue.qsize() == 300 and h.dropped == 9_700
            kept = [hub.queue.get_nowait() for _ in range(300)]
            kinds = [e.kind for e in kept]
            assert kinds.count("gift") == 100 and kinds.count("chat") == 200 and "like" not in kinds
        await fake.close()

    run(go())
