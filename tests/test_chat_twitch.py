"""Twitch IRC/TMI and EventSub against fakes speaking the real protocols."""

from __future__ import annotations

import asyncio
import json

from fake_chat_servers import FakeEventSub, FakeTmi, tmi_privmsg, until
from twincast.chat import Backoff, ChatHub
from twincast.chat.twitch import TwitchEventSubSource, TwitchIrcSource, parse_irc


def run(coro, timeout_s: float = 15):
    asyncio.run(asyncio.wait_for(coro, timeout_s))


def test_irc_tags_are_unescaped():
    m = parse_irc(r"@display-name=A\sB;system-msg=a\:b\\c;empty= :a!a@a PRIVMSG #c :hello : world")
    assert m.tags == {"display-name": "A B", "system-msg": "a;b\\c", "empty": ""}
    assert m.command == "PRIVMSG" and m.params == ["#c", "hello : world"] and m.prefix == "a!a@a"
    assert parse_irc("PING :tmi.twitch.tv").params == ["tmi.twitch.tv"]


def irc(fake: FakeTmi, **kw) -> TwitchIrcSource:
    return TwitchIrcSource("ShopChan", host="127.0.0.1", port=fake.port, tls=False, **kw)


def test_irc_registers_answers_ping_and_normalises():
    async def go():
        fake = await FakeTmi().start()
        async with ChatHub([irc(fake, nick="shopbot", oauth_token="abc123")], backoff=lambda: Backoff(0.05, 0.2)) as hub:
            await until(lambda: hub.health()["twitch"].state == "live", what="JOIN")
            assert fake.received[:4] == ["CAP REQ :twitch.tv/tags twitch.tv/commands", "PASS oauth:abc123",
                                         "NICK shopbot", "JOIN #shopchan"]
            await fake.send("PING :tmi.twitch.tv", tmi_privmsg(1, "How much is the blue one?"),
                            tmi_privmsg(2, "Cheer100 take my money", bits=100, name="Big_Spender"),
                            tmi_privmsg(1, "How much is the blue one?"),
                            tmi_privmsg(3, ""), tmi_privmsg(4, "x" * 5000), tmi_privmsg(5, "🎉🎉"),
                            "@badge-info=;display-name=Subby;id=un-1;login=subby;msg-id=sub;system-msg=Subby\\ssubscribed!;"
                            "tmi-sent-ts=1767225600000;user-id=77 :tmi.twitch.tv USERNOTICE #shopchan :love this shop")
            got = [await hub.get() for _ in range(6)]
            await until(lambda: fake.pongs, what="PONG")
            assert fake.pongs == ["PONG :tmi.twitch.tv"]
            assert hub.health()["twitch"].duplicates == 1
        a, cheer, empty, long, emoji, sub = got
        assert (a.kind, a.msg_id, a.user.name, a.user.id, a.text) == ("chat", "msg-1", "Viewer_One", "91", "How much is the blue one?")
        assert a.ts == 1767225600.001
        assert cheer.kind == "gift" and cheer.gift.count == 100 and cheer.gift.value == 1.0 and cheer.user.name == "Big_Spender"
        assert empty.text == "" and len(long.text) == 500 and emoji.text == "🎉🎉"
        assert sub.kind == "gift" and sub.gift.name == "sub" and sub.text == "love this shop"
        await fake.close()

    run(go())


def test_irc_garbage_is_counted_and_drop_reconnects():
    async def go():
        fake = await FakeTmi().start()
        async with ChatHub([irc(fake)], backoff=lambda: Backoff(0.05, 0.2)) as hub:
            await until(lambda: fake.writers)
            await fake.send(b"\xff\xfe garbage", "@only-tags", b":prefix-only", "x" * 20000)
            await fake.send(tmi_privmsg(6, "after garbage"))
            e = await hub.get()
            h = hub.health()["twitch"]
            assert e.text == "after garbage" and h.rejected >= 3 and h.failures == 0
            await fake.drop()
            await until(lambda: hub.health()["twitch"].connects == 2 and fake.writers, what="reconnect")
            await fake.send(":tmi.twitch.tv RECONNECT")
            await until(lambda: hub.health()["twitch"].connects == 3, what="RECONNECT honoured")
            assert hub.health()["twitch"].failures == 2 and "reconnect" in hub.health()["twitch"].last_error.lower()
        await fake.close()

    run(go())


def test_eventsub_subscribes_notifies_and_follows_reconnect():
    async def go():
        fake = await FakeEventSub().start()
        src = TwitchEventSubSource("cid", "tok", "1971641", "1971641", ws_url=fake.ws_url, helix_base=fake.helix_base)
        async with ChatHub([src], backoff=lambda: Backoff(0.05, 0.2)) as hub:
            await until(lambda: hub.health()["twitch-eventsub"].state == "live", what="subscribed")
            sub = fake.subscriptions[0]
            assert sub["type"] == "channel.chat.message" and sub["version"] == "1"
            assert sub["transport"] == {"method": "websocket", "session_id": "session-1"}
            assert sub["condition"] == {"broadcaster_user_id": "1971641", "user_id": "1971641"}
            await fake.send_raw('{"metadata": {"message_type": "session_keepalive"}, "payload": {}}')
            await fake.send_raw("not json at all")
            await fake.send_raw(json.dumps({"metadata": {"message_type": "notification"}, "payload": {"event": {}}}))
            await fake.notify(1, "does it ship to Lyon?")
            await fake.notify(2, "Cheer500", bits=500)
            await fake.notify(1, "does it ship to Lyon?")  # redelivered
            a, b = await hub.get(), await hub.get()
            assert (a.kind, a.msg_id, a.user.id, a.text) == ("chat", "cc-1", "4145994", "does it ship to Lyon?")
            assert b.kind == "gift" and b.gift.value == 5.0
            old = fake.by_session["session-1"]
            await fake.ask_reconnect()
            await until(lambda: fake.conns == [fake.by_session["session-1"]] and old not in fake.conns,
                        what="reconnect_url followed and the old socket closed")
            await fake.notify(3, "after reconnect")
            assert (await hub.get()).text == "after reconnect"
            h = hub.health()["twitch-eventsub"]
            assert len(fake.subscriptions) == 1 and h.rejected == 2 and h.duplicates == 1 and h.failures == 0
        await fake.close()

    run(go())


def eventsub(fake: FakeEventSub, **kw) -> TwitchEventSubSource:
    return TwitchEventSubSource("cid", "tok", "1971641", "1971641", ws_url=fake.ws_url, helix_base=fake.helix_base, **kw)


def drain(hub: ChatHub) -> list:
    out = []
    while not hub.queue.empty():
        out.append(hub.queue.get_nowait())
    return out


def test_eventsub_reconnect_is_make_before_break():
    async def go():
        fake = await FakeEventSub().start()
        async with ChatHub([eventsub(fake)], backoff=lambda: Backoff(0.05, 0.2)) as hub:
            await until(lambda: hub.health()["twitch-eventsub"].state == "live", what="subscribed")
            old = fake.by_session["session-1"]
            await fake.notify(1, "before the reconnect")
            await until(lambda: hub.health()["twitch-eventsub"].events == 1)
            fake.welcome_gate = asyncio.Event()
            fake.old_grace_s = 0.5  # had the client left the old socket open, the fake would close it (counted)
            fake.last_words = fake.notification(4, "last words on the old socket")
            await fake.ask_reconnect()
            await until(lambda: fake.reconnects == 1, what="the client at reconnect_url")
            # the new socket is open but not welcomed: the old one still delivers, and is still open
            await fake.notify(2, "while the new socket waits", to=old)
            both = fake.notification(3, "redelivered on both sockets")
            await fake.send_raw(both, to=old)
            await until(lambda: hub.health()["twitch-eventsub"].events == 3, what="old socket still read")
            assert old in fake.conns
            fake.welcome_gate.set()
            await until(lambda: len(fake.conns) == 1 and old not in fake.conns, what="the client closing the old socket")
            new = fake.by_session["session-1"]
            assert new is not old
            await fake.send_raw(both, to=new)  # same metadata.message_id and event on the new socket
            await fake.notify(5, "on the new socket", to=new)
            await until(lambda: hub.health()["twitch-eventsub"].events == 5, what="the new socket read")
            got = drain(hub)
            h = hub.health()["twitch-eventsub"]
            assert [e.msg_id for e in got] == ["cc-1", "cc-2", "cc-3", "cc-4", "cc-5"]
            assert h.duplicates == 1 and h.failures == 0 and h.connects == 1 and h.state == "live" and not h.last_error
            assert len(fake.subscriptions) == 1 and fake.sessions == 1 and fake.forced_closes == 0
        await fake.close()

    run(go())


def test_eventsub_reconnect_that_never_welcomes_falls_back_to_a_fresh_subscription(caplog):
    for mode in ("silent", "close"):
        caplog.clear()

        async def go():
            fake = await FakeEventSub().start()
            fake.reconnect_mode = mode
            async with ChatHub([eventsub(fake, welcome_timeout_s=0.3)], backoff=lambda: Backoff(0.05, 0.2)) as hub:
                await until(lambda: hub.health()["twitch-eventsub"].state == "live", what="subscribed")
                fake.while_pending = fake.notification(1, "the old socket still delivers")
                await fake.ask_reconnect()
                await until(lambda: len(fake.subscriptions) == 2, what="a fresh subscription")
                await until(lambda: fake.conns == [fake.by_session["session-2"]], what="the old socket closed")
                await fake.notify(2, "on the fresh session")
                await until(lambda: hub.health()["twitch-eventsub"].events == 2, what="the fresh session read")
                assert [e.text for e in drain(hub)] == ["the old socket still delivers", "on the fresh session"]
                h = hub.health()["twitch-eventsub"]
                assert fake.subscriptions[1]["transport"] == {"method": "websocket", "session_id": "session-2"}
                assert h.connects == 2 and h.failures == 0 and h.state == "live"
                assert "reconnect_url failed" in h.last_error and "subscribed afresh" in h.last_error
                if mode == "silent":
                    assert "no EventSub session_welcome within 0.3 s" in h.last_error
            await fake.close()

        run(go())
        assert any("reconnect_url failed" in r.getMessage() and r.levelname == "WARNING" for r in caplog.records), mode


def test_eventsub_revocation_while_moving_ends_the_session():
    async def go():
        fake = await FakeEventSub().start()
        fake.reconnect_mode = "silent"
        async with ChatHub([eventsub(fake, welcome_timeout_s=5)], backoff=lambda: Backoff(0.05, 0.2)) as hub:
            await until(lambda: hub.health()["twitch-eventsub"].state == "live", what="subscribed")
            old = fake.by_session["session-1"]
            await fake.ask_reconnect()
            await until(lambda: fake.reconnects == 1, what="the client at reconnect_url")
            await fake.send_raw(json.dumps({"metadata": {"message_id": "r1", "message_type": "revocation"},
                                            "payload": {"subscription": {"status": "authorization_revoked"}}}), to=old)
            await until(lambda: hub.health()["twitch-eventsub"].failures == 1, timeout_s=2, what="the session ended")
            assert "authorization_revoked" in hub.health()["twitch-eventsub"].last_error
        await fake.close()

    run(go())
