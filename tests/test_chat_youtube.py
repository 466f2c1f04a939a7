"""YouTube liveChatMessages.list polling against a fake Data API."""

from __future__ import annotations

import asyncio

from fake_chat_servers import FakeYouTube, until, yt_sponsor, yt_superchat, yt_text
from twincast.chat import Backoff, ChatHub
from twincast.chat.youtube import YouTubeLiveChatSource


def src(fake: FakeYouTube, **kw) -> YouTubeLiveChatSource:
    return YouTubeLiveChatSource("chat1", api_key_env="TEST_YT_KEY", api_base=fake.api_base, min_interval_s=0.01, **kw)


def test_polls_with_page_token_and_interval_and_maps_events(monkeypatch):
    monkeypatch.setenv("TEST_YT_KEY", "AIza-test")

    async def go():
        fake = await FakeYouTube(polling_ms=100).start()
        fake.items += [yt_text(1, "Is the M size in stock?"), yt_superchat(2), yt_sponsor(3), yt_text(4, ""),
                       yt_text(5, "y" * 5000), yt_text(6, "🇩🇪🇩🇪")]
        async with ChatHub([src(fake)], backoff=lambda: Backoff(0.05, 0.2)) as hub:
            got = [await hub.get() for _ in range(6)]
            fake.items.append(yt_text(7, "later"))
            fake.items.append(yt_text(1, "Is the M size in stock?"))  # the same id again
            assert (await hub.get()).text == "later"
            await until(lambda: hub.health()["youtube"].duplicates == 1)
            reqs = list(fake.requests)
        a, sc, sp, empty, long, flags = got
        assert (a.platform, a.kind, a.msg_id, a.user.id, a.user.name) == ("youtube", "chat", "LCC.1", "UC1", "Viewer 1")
        assert a.ts == 1767268800.5
        assert sc.kind == "superchat" and sc.gift.value == 5.0 and sc.gift.currency == "USD" and sc.text == "Ship to Berlin?"
        assert sp.kind == "gift" and sp.gift.name == "membership:Gold"
        assert empty.text == "" and len(long.text) == 500 and flags.text == "🇩🇪🇩🇪"
        assert reqs[0]["part"] == "snippet,authorDetails" and reqs[0]["liveChatId"] == "chat1" and "pageToken" not in reqs[0]
        assert reqs[1]["pageToken"] == "6"
        await fake.close()

    asyncio.run(asyncio.wait_for(go(), 15))


def test_polling_interval_is_honoured_on_the_injected_clock(monkeypatch):
    monkeypatch.setenv("TEST_YT_KEY", "AIza-test")
    from twincast.room.clock import FakeClock

    async def go():
        fake = await FakeYouTube(polling_ms=2500).start()
        clock = FakeClock()
        async with ChatHub([src(fake)], clock=clock) as hub:
            await until(lambda: len(fake.requests) >= 4)
            n, t = len(fake.requests), clock.now_ns()
        assert t >= (n - 1) * 2_500_000_000  # each poll waited pollingIntervalMillis of virtual time
        await fake.close()

    asyncio.run(asyncio.wait_for(go(), 15))


def test_garbage_and_errors_are_counted_then_chat_end_finishes(monkeypatch):
    monkeypatch.setenv("TEST_YT_KEY", "AIza-test")

    async def go():
        fake = await FakeYouTube(polling_ms=20).start()
        fake.items.append(yt_text(1, "first"))
        fake.items.append({"id": "broken"})  # no snippet
        fake.script = ["garbage", "503", "ok", "ended"]
        async with ChatHub([src(fake)], backoff=lambda: Backoff(0.05, 0.2)) as hub:
            e = await hub.get()
            await until(lambda: hub.health()["youtube"].state == "finished", what="finished")
            h = hub.health()["youtube"]
        assert e.text == "first"
        assert h.rejected == 2 and h.failures == 1 and "503" in h.last_error and h.connects == 1
        await fake.close()

    asyncio.run(asyncio.wait_for(go(), 15))


def test_missing_key_is_reported(monkeypatch):
    monkeypatch.delenv("TEST_YT_KEY", raising=False)

    async def go():
        fake = await FakeYouTube().start()
        async with ChatHub([src(fake)], backoff=lambda: Backoff(0.05, 0.1)) as hub:
            await until(lambda: hub.health()["youtube"].failures >= 1)
            assert "TEST_YT_KEY" in hub.health()["youtube"].last_error
        await fake.close()

    asyncio.run(asyncio.wait_for(go(), 15))
