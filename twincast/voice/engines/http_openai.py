"""A voice server on the user's own GPU box, spoken to over HTTP: the OpenAI
speech API (`POST {base}/v1/audio/speech`), which vLLM-style TTS servers,
openedai-speech, Kokoro-FastAPI, AllTalk and OpenAI itself all accept.

This module also holds the transport every HTTP engine shares (`Http`) and
the checks on what comes back (`checked_piece`), so the reference-clip
dialects (http_reference) fail the same way. Every failure is an EngineError
naming the server and what to do; `Voice` then speaks the clause with the
embedded engine, so a room never goes quiet because a GPU box did; a server
that times out or drops the connection is skipped for DOWN_S seconds, so the
fallback does not wait out the timeout on every clause.

These servers give no phone timings: pieces carry `phones=[]`, and the lips
fall back to the audio-driven path (Whisper features -> mouth), which needs
nothing but the audio."""

from __future__ import annotations

import http.client
import json
import os
import socket
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

import numpy as np

from twincast.errors import TwincastError
from twincast.voice.engines.base import EngineError
from twincast.voice.engines.wav_bytes import decode_raw, decode_wav, is_wav
from twincast.voice.speech import Piece

DEFAULT_TIMEOUT_S = 10.0
MAX_BODY_BYTES = 64 * 1024 * 1024  # ~20 min of 24 kHz 16-bit: far past any clause
MESSAGE_CHARS = 200  # of a server's error text, enough to read, not a page of HTML
# Seconds of audio per character beyond which the server is not speaking the
# text (a stuck decoder, a looped stream): English speech runs ~0.07 s a
# character and Mandarin ~0.25 s, so these are 4x and 2x slack at speed 1.
MAX_S_PER_CHAR = {"en": 0.3, "zh": 0.6}
MIN_LIMIT_S = 5.0  # servers pad short clauses with silence; "OK." may come back as 1-2 s
SILENCE_PEAK = 1e-4
# After a timeout, a refused or a dropped connection the server is skipped for
# this long: otherwise every clause would wait out the timeout before the
# fallback speaks, and a room would fall silent for seconds at a time.
DOWN_S = 15.0


@dataclass
class Http:
    """POST to one server with a total deadline, mapping every way it can fail
    to an EngineError. The bearer key is read from the environment once, at
    construction, so it never sits in a file, an argv or a repr."""

    engine: str  # for messages
    base_url: str
    timeout_s: float = DEFAULT_TIMEOUT_S
    key_env: str | None = None
    _key: str | None = field(default=None, repr=False)
    _down: tuple[float, str] | None = field(default=None, repr=False)  # (until, why)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        if self.key_env:
            self._key = os.environ.get(self.key_env)
            if not self._key:
                raise TwincastError(f"{self.engine}: the environment variable {self.key_env} (key_env) is not set", f"export {self.key_env}=<your key> before starting, or drop key_env")

    def url(self, path: str) -> str:
        return self.base_url + path

    def post(self, path: str, body: bytes, content_type: str) -> tuple[bytes, str, dict[str, str]]:
        """Body, content type and headers of a 2xx answer."""
        headers = {"Content-Type": content_type, "Accept": "audio/wav, audio/*, application/octet-stream"}
        if self._key:
            headers["Authorization"] = f"Bearer {self._key}"
        request = urllib.request.Request(self.url(path), data=body, headers=headers, method="POST")
        now = time.monotonic()
        if self._down is not None and now < self._down[0]:
            raise EngineError(f"{self.engine} at {self.base_url} is skipped for {self._down[0] - now:.0f} s more ({self._down[1]})", "the embedded voice speaks meanwhile; check the server")
        deadline = now + self.timeout_s
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                data = self._read(response, deadline)
                self._down = None
                return data, response.headers.get("Content-Type", ""), dict(response.headers.items())
        except urllib.error.HTTPError as exc:
            raise self._status_error(exc) from None  # it answered: not down, just refusing this
        except urllib.error.URLError as exc:
            raise self._mark_down(self._network_error(exc.reason, path)) from None
        except (TimeoutError, socket.timeout, http.client.HTTPException, OSError) as exc:
            raise self._mark_down(self._network_error(exc, path)) from None

    def _mark_down(self, error: EngineError) -> EngineError:
        self._down = (time.monotonic() + DOWN_S, error.problem)
        return error

    def _read(self, response, deadline: float) -> bytes:  # noqa: ANN001 - http.client.HTTPResponse
        """The whole body, in pieces, so a server trickling bytes still hits
        the deadline (the socket timeout alone bounds each read, not the sum)."""
        parts: list[bytes] = []
        total = 0
        while True:
            if time.monotonic() > deadline:
                raise TimeoutError("deadline passed while reading the answer")
            part = response.read1(65536)  # what has arrived; read() would wait for all 64 KiB
            if not part:
                return b"".join(parts)
            total += len(part)
            if total > MAX_BODY_BYTES:
                raise EngineError(f"{self.engine} at {self.base_url} sent more than {MAX_BODY_BYTES // 2**20} MiB for one clause", "check the server: it is not answering with one clause of speech")
            parts.append(part)

    def _status_error(self, exc: urllib.error.HTTPError) -> EngineError:
        try:
            text = server_message(exc.read(8192))
        except (OSError, http.client.HTTPException):
            text = ""
        detail = f": {text}" if text else ""
        if exc.code in (401, 403):
            fix = f"check the key in ${self.key_env}" if self.key_env else "the server wants a key: add key_env=VARIABLE to the engine and export it"
        elif exc.code == 404:
            fix = f"check the URL: is {self.base_url} a {self.engine} server?"
        elif exc.code in (400, 422):
            fix = f"the {self.engine} server refused the request; check the engine options (model, voice, reference clip)"
        else:
            fix = f"look at the {self.engine} server's log"
        return EngineError(f"{self.engine} at {self.base_url} answered HTTP {exc.code}{detail}", fix)

    def _network_error(self, reason: object, path: str) -> EngineError:
        where = f"{self.engine} at {self.base_url}"
        if isinstance(reason, ConnectionRefusedError):
            return EngineError(f"nothing answers at {self.base_url} ({self.engine}: connection refused)", "start the voice server, or check the host and port in --engine")
        if isinstance(reason, (TimeoutError, socket.timeout)):
            return EngineError(f"{where} did not answer within {self.timeout_s:g} s", "the GPU box may be busy or asleep; raise timeout= in --engine if it is just slow")
        if isinstance(reason, socket.gaierror):
            return EngineError(f"cannot find the host of {self.base_url} ({reason})", "check the host name in --engine")
        if isinstance(reason, EngineError):
            return reason
        return EngineError(f"{where} dropped the connection during {path} ({type(reason).__name__}: {reason})", "look at the server's log; it may have crashed on this text")


def server_message(body: bytes) -> str:
    """The human part of an error body: FastAPI's `detail`, OpenAI's
    `error.message`, GPT-SoVITS's `message` + `Exception`, else the text."""
    text = body.decode("utf-8", "replace").strip()
    try:
        obj = json.loads(text)
    except ValueError:
        obj = None
    if isinstance(obj, dict):
        err = obj.get("error")
        parts = [err.get("message") if isinstance(err, dict) else err, obj.get("detail"), obj.get("message"), obj.get("Exception")]
        found = [p if isinstance(p, str) else json.dumps(p, ensure_ascii=False) for p in parts if p]
        if found:
            text = " — ".join(found)
    text = " ".join(text.split())
    return text if len(text) <= MESSAGE_CHARS else text[: MESSAGE_CHARS - 1] + "…"


def audio_from_body(engine: str, body: bytes, content_type: str, raw_rate: int | None) -> tuple[np.ndarray, int]:
    """Decode an answer: a WAV whatever was asked (some servers ignore the
    format), else raw s16le at `raw_rate` when raw was asked for; text, HTML,
    JSON or compressed audio are refused with what was actually sent."""
    kind = content_type.split(";")[0].strip().lower()
    try:
        if is_wav(body):
            return decode_wav(body)
        if raw_rate is not None and not _looks_textual(body, kind) and not _compressed(body):
            return decode_raw(body, raw_rate)
    except ValueError as exc:
        raise EngineError(f"{engine} sent audio that cannot be read: {exc}", "ask the server for 16-bit WAV") from None
    if not body:
        raise EngineError(f"{engine} answered with an empty body", "look at the server's log; it produced no audio")
    what = "compressed audio (MP3/Ogg/FLAC)" if _compressed(body) else f"{kind or 'untyped'} data, not audio: {server_message(body[:400])!r}"
    raise EngineError(f"{engine} sent {what}", "point --engine at the server's speech endpoint and let it answer WAV")


def _looks_textual(body: bytes, kind: str) -> bool:
    if kind.startswith("text/") or kind in ("application/json", "application/problem+json"):
        return True
    head = body[:64].lstrip()
    return head[:1] in (b"{", b"[", b"<") and all(32 <= c < 127 or c in (9, 10, 13) for c in head)


def _compressed(body: bytes) -> bool:
    return body[:3] == b"ID3" or body[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2") or body[:4] in (b"OggS", b"fLaC")


def checked_piece(engine: str, pcm: np.ndarray, rate: int, text: str, lang: str, speed: float) -> Piece:
    """A Piece, or an EngineError if the audio cannot be this text spoken:
    nothing, silence, NaN, or far longer than the text could take."""
    if len(pcm) == 0:
        raise EngineError(f"{engine} sent no audio for {text[:40]!r}", "look at the server's log; it produced nothing for this text")
    if not np.all(np.isfinite(pcm)):
        raise EngineError(f"{engine} sent audio with NaN or infinite samples", "the server's model is producing invalid output; restart it or try another checkpoint")
    if float(np.max(np.abs(pcm))) < SILENCE_PEAK:
        raise EngineError(f"{engine} sent only silence for {text[:40]!r}", "look at the server's log; it produced no speech for this text")
    seconds = len(pcm) / rate
    limit = max(MIN_LIMIT_S, MAX_S_PER_CHAR.get(lang, 0.6) * len(text) / max(0.5, min(2.0, speed)))
    if seconds > limit:
        raise EngineError(f"{engine} sent {seconds:.1f} s of audio for {len(text)} characters (more than {limit:.1f} s is not this text)", "the server is looping or ignoring the text; restart it or check its settings")
    return Piece(np.clip(pcm, -1, 1).astype(np.float32), int(rate), [])


class OpenAISpeech:
    """`openai:http://host:port?model=tts-1&voice=alloy` — one POST per clause."""

    name = "openai"

    def __init__(self, base_url: str, model: str = "tts-1", voice: str = "alloy", response_format: str = "wav", pcm_rate: int = 24000, langs: tuple[str, ...] = ("zh", "en"), timeout_s: float = DEFAULT_TIMEOUT_S, key_env: str | None = None) -> None:
        if response_format not in ("wav", "pcm"):
            raise TwincastError(f"openai: response format {response_format!r} cannot be read here", "use format=wav (default) or format=pcm")
        self.langs = tuple(langs)
        self.model, self.voice, self.response_format, self.pcm_rate = model, voice, response_format, pcm_rate
        # A base ending in /v1 (OpenAI's own "https://api.openai.com/v1") must not become /v1/v1.
        base = base_url.rstrip("/")
        self.path = "/audio/speech" if base.endswith("/v1") else "/v1/audio/speech"
        self.http = Http(self.name, base, timeout_s, key_env)
        self.lock = threading.Lock()

    def synthesize(self, text: str, lang: str, speed: float = 1.0) -> Piece:
        body = {"model": self.model, "input": text, "voice": self.voice, "response_format": self.response_format, "speed": max(0.25, min(4.0, speed))}
        data, kind, _ = self.http.post(self.path, json.dumps(body, ensure_ascii=False).encode(), "application/json")
        pcm, rate = audio_from_body(self.name, data, kind, self.pcm_rate if self.response_format == "pcm" else None)
        return checked_piece(self.name, pcm, rate, text, lang, speed)
