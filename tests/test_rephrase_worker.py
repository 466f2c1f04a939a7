"""LLM rewordings in a live room (commerce.rephrase_worker): asked without blocking, fetched ahead
on one thread, bounded, resting after repeated failures, and still fact-checked by the director."""

from __future__ import annotations

import threading
import time

from test_director import DATA, Clock, director, run

from twincast.commerce import rephrase_worker
from twincast.commerce.catalog_io import load_catalog
from twincast.commerce.llm_rephrase import Rephraser
from twincast.commerce.rephrase_worker import RephraseWorker


def settle(worker: RephraseWorker, timeout_s: float = 5.0) -> None:
    end = time.monotonic() + timeout_s
    while worker.waiting() and time.monotonic() < end:
        time.sleep(0.002)
    assert not worker.waiting()


def test_asking_never_waits_for_the_model():
    calls = []

    def slow(text, facts, lang):
        calls.append(text)
        time.sleep(0.3)
        return f"{text}（换个说法）"

    worker = RephraseWorker(slow)
    t0 = time.perf_counter()
    assert worker("这款杯子很好用", [], "zh") is None  # nothing fetched yet: the director moves on
    assert worker("这款杯子很好用", [], "zh") is None  # already on its way: not asked twice
    assert time.perf_counter() - t0 < 0.05
    settle(worker)
    assert worker("这款杯子很好用", [], "zh") == "这款杯子很好用（换个说法）"
    settle(worker)  # taking the last one fetched the next
    assert calls == ["这款杯子很好用", "这款杯子很好用"]
    assert worker.stats["served"] == 1 and worker.stats["fetched"] == 2
    worker.close()


def test_a_failing_model_is_rested_then_tried_again():
    now = [0.0]
    calls = []

    def broken(text, facts, lang):
        calls.append(text)
        raise OSError("connection refused")

    worker = RephraseWorker(broken, monotonic=lambda: now[0])
    for i in range(rephrase_worker.FAILURES_TO_REST):
        assert worker(f"line {i}", [], "en") is None
        settle(worker)
    assert worker.stats["failed"] == rephrase_worker.FAILURES_TO_REST
    assert worker("line x", [], "en") is None
    settle(worker)
    assert len(calls) == rephrase_worker.FAILURES_TO_REST  # resting: not asked
    now[0] += rephrase_worker.REST_S + 1
    worker("line x", [], "en")
    settle(worker)
    assert len(calls) == rephrase_worker.FAILURES_TO_REST + 1
    worker.close()


def test_waiting_work_is_bounded():
    release = threading.Event()

    def stuck(text, facts, lang):
        release.wait(5)
        return text + "!"

    worker = RephraseWorker(stuck)
    for i in range(40):
        worker(f"line {i}", [], "en")
    # one with the model, MAX_WAITING in the queue, the rest dropped and counted
    assert worker.stats["dropped"] >= 40 - 1 - rephrase_worker.MAX_WAITING
    assert worker.waiting() <= rephrase_worker.MAX_WAITING + 1
    release.set()
    settle(worker)
    assert worker.stats["fetched"] <= rephrase_worker.MAX_WAITING + 1
    worker.close()


def test_a_pinned_show_keeps_talking_in_checked_llm_words(llm):
    """Pinned on one product, the templates run out within ten minutes (without a model the director
    goes quiet, test_director); with one, its rewordings fill in, and an invented price is never said."""
    catalog = load_catalog(DATA / "catalog_zh.yaml")
    good = ["家人们看过来，这款真的很实用", "喜欢的朋友可以先收藏起来", "这款我自己也一直在用", "有问题随时在评论区问我"]
    llm.replies = good + ["这款今天只要1元"]
    worker = RephraseWorker(Rephraser(llm.url, timeout_s=2.0).rephrase)
    clock = Clock()
    d = director(catalog, clock, pinned_sku="CUP-316-500", rephrase_fn=worker)

    asks: list[float] = []
    real = d.next_script_line

    def timed():
        t0 = time.perf_counter()
        line = real()
        asks.append(time.perf_counter() - t0)
        settle(worker)  # the model answers between lines, as it would while a line is spoken
        return line

    d.next_script_line = timed
    said = [line.text for _, line in run(d, clock, 900)]
    worker.close()
    assert llm.bodies and worker.stats["served"] > 0
    assert set(good) & set(said)
    assert not any("1元" in s for s in said)
    assert max(asks) < 0.05  # the room's frames never wait for the model
