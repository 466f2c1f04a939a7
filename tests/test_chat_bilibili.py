"""Bilibili open-live against a fake that checks signatures and speaks the packet protocol."""

from __future__ import annotations

import asyncio
import json
import zlib

import brotli

from fake_chat_servers import FakeBilibili, bili_dm, bili_gift, bili_like, bili_packet, until
from twincast.chat import Backoff, ChatHub
from twincast.chat.bilibili import MAX_DECOMPRESSED_BYTES, BilibiliOpenLiveSource, PacketError, signature, unpack


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


def test_packets_split_zlib_brotli_and_reject_garbage():
    inner = bili_packet(5, b'{"a":1}') + bili_packet(5, b'{"b":2}')
    frame = bili_packet(3, b"\x00\x00\x00\x01") + bili_packet(5, zlib.compress(inner), ver=2)
    assert unpack(frame) == [(3, b"\x00\x00\x00\x01"), (5, b'{"a":1}'), (5, b'{"b":2}')]
    assert unpack(bili_packet(5, brotli.compress(inner), ver=3) + bili_packet(5, b'{"c":3}')) == [
        (5, b'{"a":1}'), (5, b'{"b":2}'), (5, b'{"c":3}')]
    big = bili_packet(5, b"x" * ((1 << 20) - 16))  # the largest packet allowed
    exact = big * (MAX_DECOMPRESSED_BYTES // len(big))  # exactly at the limit is still fine
    assert len(exact) == MAX_DECOMPRESSED_BYTES
    assert unpack(bili_packet(5, brotli.compress(exact, quality=1), ver=3)) == [(5, big[16:])] * 8
    for bad in [b"\x00" * 7, bili_packet(5, b"xx")[:-1], bili_packet(5, b"not zlib", ver=2),
                b"\x00\x00\x00\x05\x00\x10\x00\x00\x00\x00\x00\x05\x00\x00\x00\x00",
                bili_packet(5, zlib.compress(b"\0" * (9 << 20)), ver=2),
                bili_packet(5, b"not brotli", ver=3), bili_packet(5, b"", ver=3),
                bili_packet(5, brotli.compress(inner)[:-2], ver=3),  # truncated
                bili_packet(5, brotli.compress(inner) + b"tail", ver=3),
                bili_packet(5, brotli.compress(bili_packet(5, brotli.compress(inner), ver=3)), ver=3),  # nested
                bili_packet(5, brotli.compress(exact + b"!", quality=1), ver=3),  # one byte over the limit
                bili_packet(5, brotli.compress(b"\0" * (64 << 20), quality=5), ver=3)]:  # ~100 bytes -> 64 MiB
        try:
            unpack(bad)
        except PacketError:
            continue
        raise AssertionError(f"accepted {bad[:20]!r}")


def test_auth_body_asks_for_brotli_and_leaves_the_rest_alone():
    ask = BilibiliOpenLiveSource._auth_body
    assert json.loads(ask('{"roomid":1,"protoover":2,"key":"密钥"}')) == {"roomid": 1, "protoover": 3, "key": "密钥"}
    assert json.loads(ask('{"roomid":1,"protover":2}')) == {"roomid": 1, "protover": 3}
    for untouched in ['{"roomid":1,"protoover":3}', '{"roomid":1}', "not json", "[2]"]:
        assert ask(untouched) == untouched.encode()


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
        assert json.loads(fake.auths[0]) == {**json.loads(fake.auth_body), "protoover": 3}
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


def test_protover_3_frames_decode_and_bombs_are_refused_without_dropping_the_connection():
    async def go():
        fake = await FakeBilibili().start()
        async with ChatHub([source(fake)], backoff=lambda: Backoff(0.05, 0.2)) as hub:
            await until(lambda: fake.conns, what="websocket auth")
            assert list(fake.protover.values()) == [3]
            await fake.push([bili_dm(1, "第一条"), bili_gift(1), bili_dm(2, "第二条")])  # one brotli packet, three inside
            got = [await hub.get() for _ in range(3)]
            assert [e.msg_id for e in got] == ["dm-1", "gift-1", "dm-2"]

            flood = bili_packet(5, json.dumps(bili_dm(100)).encode()) * 60_000  # valid packets, just too many
            assert len(flood) > MAX_DECOMPRESSED_BYTES
            bomb = brotli.compress(flood, quality=5)
            assert len(bomb) < 100_000
            await fake.send_frame(bili_packet(5, bomb, ver=3))
            await until(lambda: hub.health()["bilibili"].rejected == 1, what="the bomb refused")
            assert hub.health()["bilibili"].last_reject == "brotli body expands beyond the limit"
            await fake.send_frame(bili_packet(5, b"\x8b\x03\x80garbage", ver=3))
            await until(lambda: hub.health()["bilibili"].rejected == 2, what="garbage refused")
            assert hub.health()["bilibili"].last_reject.startswith("bad brotli body")

            await fake.push([bili_dm(3, "还在")])
            await fake.push([bili_dm(4, "zlib too")], ver=2)  # a server may still send protover 2
            got = [await hub.get() for _ in range(2)]
            assert [e.text for e in got] == ["还在", "zlib too"]
            h = hub.health()["bilibili"]
            assert h.connects == 1 and h.failures == 0 and h.events == 5 and h.state == "live"
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
