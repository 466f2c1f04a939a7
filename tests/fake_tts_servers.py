"""Voice servers on 127.0.0.1 that speak the real wire formats (OpenAI speech,
CosyVoice, Fish-Speech, GPT-SoVITS api_v2), for the plugin tests.

Each answers a harmonic "voice" (a 140 Hz tone with syllable-rate loudness,
~70 ms a character) at that server's own sample rate, so resampling is
exercised. `server.mode` switches misbehaviour: "ok", "slow" (answers after
`slow_s`), "error" (HTTP 500 with a message), "garbage" (200 with an HTML
page), "noise" (200, audio/wav type, random bytes), "empty" (a WAV with no
samples), "nan" (a float WAV full of NaN), "long" (a minute of audio for any text), "drop"
(closes the connection without answering), "trickle"
(a WAV sent 2 KB every 50 ms). Every request is recorded, parsed,
in `server.requests` so a test can check the fields that arrived."""

from __future__ import annotations

import email.parser
import email.policy
import json
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np

from twincast.voice.engines.wav_bytes import encode_wav

RATES = {"openai": 24000, "cosyvoice": 22050, "fishspeech": 44100, "gptsovits": 32000}
ERROR_TEXT = "CUDA out of memory. Tried to allocate 2.00 GiB " + "x" * 400


def voice_like(n_chars: int, rate: int) -> np.ndarray:
    t = np.arange(int(rate * max(0.3, 0.07 * n_chars))) / rate
    tone = sum(np.sin(2 * np.pi * 140 * k * t) / k for k in range(1, 6))
    syllables = 0.5 * (1 - np.cos(2 * np.pi * 4 * t))
    return (0.3 * tone * syllables).astype(np.float32)


def float_wav(pcm: np.ndarray, rate: int) -> bytes:
    data = pcm.astype("<f4").tobytes()
    fmt = struct.pack("<HHIIHH", 3, 1, rate, rate * 4, 4, 32)
    return b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", len(data)) + data


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    fields: dict = field(default_factory=dict)  # form fields or JSON body
    files: dict[str, bytes] = field(default_factory=dict)


class _Handler(BaseHTTPRequestHandler):
    server: "FakeTTSServer"
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet test output
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        got = Received(self.path, dict(self.headers.items()))
        kind = self.headers.get("Content-Type", "")
        if kind.startswith("multipart/form-data"):
            msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(b"Content-Type: " + kind.encode() + b"\r\n\r\n" + body)
            for part in msg.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if part.get_filename():
                    got.files[name] = part.get_payload(decode=True)
                else:
                    got.fields[name] = part.get_payload(decode=True).decode("utf-8")
        elif kind.startswith("application/json"):
            got.fields = json.loads(body)
        self.server.requests.append(got)
        self._answer(got)

    def _answer(self, got: Received) -> None:
        server = self.server
        mode = server.mode
        if mode == "drop":
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if mode == "slow":
            time.sleep(server.slow_s)
        if mode == "trickle":
            return self._trickle()
        if mode == "error":
            return self._send(500, json.dumps({"detail": ERROR_TEXT}).encode(), "application/json")
        if mode == "garbage":
            return self._send(200, b"<html><body>502 Bad Gateway (nginx)</body></html>", "text/html")
        if mode == "noise":
            return self._send(200, np.random.default_rng(0).bytes(5000), "audio/wav")
        expected = {"openai": "/v1/audio/speech", "cosyvoice": "/inference_zero_shot", "fishspeech": "/v1/tts", "gptsovits": "/tts"}[server.dialect]
        if got.path != expected:
            return self._send(404, json.dumps({"detail": "Not Found"}).encode(), "application/json")
        text = got.fields.get("input") or got.fields.get("tts_text") or got.fields.get("text") or ""
        rate = RATES[server.dialect]
        pcm = voice_like(len(text), rate)
        if mode == "empty":
            pcm = pcm[:0]
        if mode == "long":
            pcm = np.resize(pcm, rate * 60)
        if mode == "nan":
            return self._send(200, float_wav(np.full(rate, np.nan, np.float32), rate), "audio/wav")
        if server.dialect == "cosyvoice" or (server.dialect == "openai" and got.fields.get("response_format") == "pcm"):
            raw = (pcm * 32767).astype("<i2").tobytes()  # headerless int16, as these servers stream it
            headers = {"X-Custom-Header-sampleRate": str(rate)} if server.rate_header else {}
            return self._send(200, raw, "application/octet-stream", headers)
        if server.dialect == "gptsovits":
            # api_v2 streams a WAV whose header was written before the length was known
            wav = bytearray(encode_wav(pcm, rate))
            wav[4:8] = wav[40:44] = b"\x00\x00\x00\x00"
            return self._send(200, bytes(wav), "audio/wav")
        return self._send(200, encode_wav(pcm, rate), "audio/wav")

    def _trickle(self) -> None:
        """A WAV that arrives 2 KB every 50 ms: no single read waits long."""
        body = encode_wav(voice_like(20, 16000), 16000)
        self.send_response(200)
        self.send_header("Content-Type", "audio/wav")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            for i in range(0, len(body), 2048):
                self.wfile.write(body[i : i + 2048])
                self.wfile.flush()
                time.sleep(0.05)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _send(self, status: int, body: bytes, kind: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout tests)
            pass


class FakeTTSServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, dialect: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.dialect = dialect
        self.mode = "ok"
        self.slow_s = 1.0
        self.rate_header = False
        self.requests: list[Received] = []
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def close(self) -> None:
        self.shutdown()
        self.server_close()
