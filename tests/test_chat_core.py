"""Events, dedupe, flood control, backoff, the hub and the simulated audience."""

from __future__ import annotations

import asyncio
import random

from twincast.chat import Backoff, ChatHub, Deduper, FloodQueue, Gift, clean_text, make_event
from twincast.chat.simulated import SimulatedAudience
from twincast.room.clock import FakeClock


def ev(kind: str, i: int, platform: str = "t"):
    gift = Gift("rose", 1, 1.0, "CNY") if kind in ("gift", "superchat") else None
    return make_event(platform, kind, f"{kind}-{i}", "u", "u", f"{kind} {i}", gift=gift)


def test_text_is_cleaned_and_capped_with_a_note():
    e = make_event("t", "chat", "1", "u1", "Bob\x00\u202e", "hi\x07 there\r\n\tyou\u202eevil\u200b")
    assert e.text == "hi there youevil"
    assert e.user.name == "Bob"
    long = make_event("t", "chat", "2", "u", "u", "字" * 5000)
    assert len(long.text) == 500 and long.raw["_twincast"]["text_truncated_from_chars"] == 5000
    assert make_event("t", "chat", "3", "u", "u", "").text == ""
    assert make_event("t", "chat", "4", "u", "u", None).text == ""
    family = "👨\u200d👩\u200d👧 ❤️🔥"
    assert make_event("t", "chat", "5", "u", "u", family).text == family  # ZWJ and variation selector kept
    assert clean_text("  a  \n\n b ") == ("a b", 3)
    assert "_twincast" not in make_event("t", "chat", "6", "u", "u", "x" * 500).raw


def test_unknown_kind_is_refused():
    try:
        make_event("t", "donation", "1", "u", "u", "x")
    except ValueError:
        return
    raise AssertionError("unknown kind accepted")


def test_dedupe_is_bounded_lru():
    d = Deduper(capacity=3)
    assert not d.is_duplicate("a", "1") and d.is_duplicate("a", "1")
    assert not d.is_duplicate("b", "1")  # other platform, same id: not a duplicate
    for i in range(2, 6):
        d.is_duplicate("a", str(i))
    assert len(d) == 3 and not d.is_duplicate("a", "1")  # forgotten after eviction
    assert not d.is_duplicate("a", "") and not d.is_duplicate("a", "")  # no id, no dedupe
    assert d.duplicates == 1


def test_flood_queue_drops_least_valuable_oldest_first_and_keeps_order():
    drops = []
    q = FloodQueue(4, on_drop=lambda e, tag: drops.append(e.msg_id))
    for e in [ev("like", 1), ev("chat", 1), ev("gift", 1), ev("like", 2)]:
        assert q.put_nowait(e)
    assert q.put_nowait(ev("chat", 2))  # evicts like-1 (oldest of the lowest class)
    assert q.put_nowait(ev("enter", 1))  # evicts like-2 (same class as enter, older)
    assert drops == ["like-1", "like-2"]
    assert q.put_nowait(ev("superchat", 1))  # evicts enter-1
    assert not q.put_nowait(ev("like", 3))  # lowest class left is chat: the like itself is dropped
    assert q.put_nowait(ev("gift", 2))  # evicts chat-1
    assert [q.get_nowait().msg_id for _ in range(4)] == ["gift-1", "chat-2", "superchat-1", "gift-2"]
    assert drops == ["like-1", "like-2", "enter-1", "like-3", "chat-1"]
    assert q.dropped == 5 and q.empty()


def test_a_flood_of_10000_stays_bounded_and_keeps_every_gift():
    q = FloodQueue(200)
    rng = random.Random(1)
    kinds = ["like"] * 70 + ["enter"] * 15 + ["chat"] * 14 + ["gift"]
    sent = {"gift": 0, "chat": 0}
    for i in range(10_000):
        k = rng.choice(kinds)
        sent[k] = sent.get(k, 0) + 1
        q.put_nowait(ev(k, i))
        assert q.qsize() <= 200
    out = [q.get_nowait() for _ in range(q.qsize())]
    got = {k: sum(e.kind == k for e in out) for k in ("gift", "chat", "like", "enter")}
    assert got["gift"] == sent["gift"]  # ~100 gifts: none lost
    assert got["chat"] == 200 - sent["gift"]  # the rest is the newest chat; no like or enter survives
    assert got["like"] == got["enter"] == 0


def test_backoff_grows_with_jitter_and_resets():
    b = Backoff(1.0, 8.0, 2.0, 0.5, random.Random(0))
    d = [b.next_delay_s() for _ in range(6)]
    bases = [1, 2, 4, 8, 8, 8]
    assert all(base * 0.5 <= x <= base for x, base in zip(d, bases)), d
    assert len(set(d)) == 6  # jittered
    b.reset()
    assert b.next_delay_s() <= 1.0


def test_simulated_audience_on_a_fake_clock():
    async def go():
        clock = FakeClock()
        sim = SimulatedAudience(rate_per_min=600, seed=7, duration_s=600)
        async with ChatHub([sim], clock=clock, queue_size=10_000) as hub:
            for _ in range(200):
                await asyncio.sleep(0)
            while hub.health()["simulated"].state != "finished":
                await asyncio.sleep(0)
            events = [hub.queue.get_nowait() for _ in range(hub.queue.qsize())]
        assert 5000 < len(events) < 7000  # ~6,000 in 10 virtual minutes
        assert clock.now_ns() <= 600e9
        intents = {e.raw["intent"] for e in events}
        assert {"question", "like", "enter", "gift", "injection", "abuse"} <= intents
        langs = {e.raw["lang"] for e in events}
        assert langs == {"zh", "en"}
        assert all(e.gift and e.gift.count >= 1 for e in events if e.kind == "gift")
        assert any("Ignore all previous" in e.text or "忽略" in e.text for e in events)
        ts = [e.ts for e in events]
        assert ts == sorted(ts)

    asyncio.run(asyncio.wait_for(go(), 15))


def test_scripted_audience_from_yaml(tmp_path):
    path = tmp_path / "script.yaml"
    path.write_text(
        "- {at_s: 2, user: 小王, text: 这个多少钱？}\n"
        "- {at_s: 1, kind: enter, user: amy}\n"
        "- {at_s: 3, kind: gift, user: bob, gift: {name: rocket, count: 1, value: 500}}\n", encoding="utf-8")

    async def go():
        clock = FakeClock()
        async with ChatHub([SimulatedAudience(script=path)], clock=clock) as hub:
            got = [await hub.get() for _ in range(3)]
            assert clock.now_ns() == 3_000_000_000
        assert [e.kind for e in got] == ["enter", "chat", "gift"]
        assert got[1].text == "这个多少钱？" and got[2].gift.value == 500

    asyncio.run(asyncio.wait_for(go(), 5))


def test_hub_survives_a_crashing_source_and_reports_it():
    from twincast.chat.source import ChatSource

    class Flaky(ChatSource):
        platform = "flaky"

        def __init__(self):
            super().__init__()
            self.n = 0

        async def session(self, ctx):
            self.n += 1
            ctx.connected()
            ctx.emit(make_event("flaky", "chat", "same-id", "u", "u", "hello"))  # redelivered every session
            raise ConnectionResetError(f"boom {self.n}")

    async def go():
        src = Flaky()
        async with ChatHub([src], backoff=lambda: Backoff(0.01, 0.05)) as hub:
            first = await hub.get()
            while src.n < 4:
                await asyncio.sleep(0.01)
            h = hub.health()["flaky"]
            assert h.connects >= 4 and h.failures >= 3 and "boom" in h.last_error
            assert h.events == 1 and h.duplicates >= 3 and hub.queue.empty()
        assert first.text == "hello" and hub.health()["flaky"].state == "closed"

    asyncio.run(asyncio.wait_for(go(), 5))
