"""Voice-cloning servers that clone from a reference clip: a few seconds of the
person speaking plus its transcript go with every request, and the server
speaks the text in that voice. Three dialects, each in its server's own wire
format (as in the projects' API servers):

- cosyvoice  (FunAudioLLM CosyVoice, runtime/python/fastapi/server.py):
  POST /inference_zero_shot, multipart form: tts_text, prompt_text, prompt_wav
  (the clip as a file). Answer: raw int16 PCM at the model's rate, 22050 Hz
  for CosyVoice-300M and 24000 Hz for CosyVoice2 (`rate=`); some builds send
  the rate in an X-Custom-Header-sampleRate header, which wins. No speed field.
- fishspeech (fish-speech tools/api_server.py): POST /v1/tts, JSON
  {"text", "references": [{"audio": base64 clip, "text": transcript}],
  "format": "wav"}; the server decodes base64 audio strings. Answer: WAV.
  `--api-key` on the server maps to key_env here.
- gptsovits  (GPT-SoVITS api_v2.py): POST /tts, JSON {"text", "text_lang",
  "ref_audio_path", "prompt_text", "prompt_lang", "media_type": "wav",
  "speed_factor"}. The server opens the clip itself, so `ref` is a path *on
  the server's machine* and is sent as it is, never uploaded.

The clip path and its transcript are engine config (`ref=`, `ref_text=`; the
transcript may also sit next to the clip as clip.txt or clip.lab, as
GPT-SoVITS users keep it). Like every HTTP engine these give no phone timings
(phones=[]), so the lips follow the audio; failures are EngineErrors and the
embedded engine speaks the clause instead (see http_openai)."""

from __future__ import annotations

import base64
import json
import threading
import uuid
from pathlib import Path

from twincast.errors import TwincastError
from twincast.voice.engines.http_openai import DEFAULT_TIMEOUT_S, Http, audio_from_body, checked_piece
from twincast.voice.engines.wav_bytes import decode_wav, is_wav
from twincast.voice.speech import Piece

DIALECTS = ("cosyvoice", "fishspeech", "gptsovits")
COSYVOICE_RATE_HZ = 22050  # CosyVoice-300M; CosyVoice2 speaks at 24000
MAX_REF_BYTES = 20 * 1024 * 1024
# CosyVoice refuses prompts over 30 s; under ~1 s there is no voice to clone.
REF_SECONDS = (1.0, 30.0)
_CJK = ("\u3400", "\u9fff")


class ReferenceClone:
    def __init__(self, dialect: str, base_url: str, ref: str, ref_text: str | None = None, ref_lang: str | None = None, langs: tuple[str, ...] = ("zh", "en"), timeout_s: float = DEFAULT_TIMEOUT_S, key_env: str | None = None, rate: int | None = None) -> None:
        if dialect not in DIALECTS:
            raise TwincastError(f"unknown reference-clip server kind {dialect!r}", f"use one of {', '.join(DIALECTS)}")
        self.name = dialect
        self.langs = tuple(langs)
        self.lock = threading.Lock()
        self.http = Http(dialect, base_url, timeout_s, key_env)
        self.rate = rate or COSYVOICE_RATE_HZ
        self.ref_path = ref
        self.ref_text = ref_text if ref_text is not None else _sidecar_text(ref)
        if dialect == "gptsovits":
            self.ref_bytes = b""  # the server reads the clip from its own disk
        else:
            self.ref_bytes = _read_clip(dialect, ref)
            if not self.ref_text:
                raise TwincastError(f"{dialect}: the reference clip needs its transcript", f"add ref_text=<what is said in {Path(ref).name}> to --engine, or put it in {Path(ref).with_suffix('.txt')}")
        self.ref_lang = ref_lang or ("zh" if any(_CJK[0] <= c <= _CJK[1] for c in self.ref_text or "") else "en")

    def synthesize(self, text: str, lang: str, speed: float = 1.0) -> Piece:
        path, body, kind = getattr(self, f"_{self.name}")(text, lang, speed)
        data, answer_kind, headers = self.http.post(path, body, kind)
        raw_rate = None
        if self.name == "cosyvoice":
            raw_rate = _header_rate(headers) or self.rate
        pcm, rate = audio_from_body(self.name, data, answer_kind, raw_rate)
        return checked_piece(self.name, pcm, rate, text, lang, speed)

    # --- the three wire formats --------------------------------------------------------------

    def _cosyvoice(self, text: str, lang: str, speed: float) -> tuple[str, bytes, str]:
        body, kind = multipart({"tts_text": text, "prompt_text": self.ref_text}, {"prompt_wav": (Path(self.ref_path).name, self.ref_bytes)})
        return "/inference_zero_shot", body, kind

    def _fishspeech(self, text: str, lang: str, speed: float) -> tuple[str, bytes, str]:
        request = {
            "text": text,
            "references": [{"audio": base64.b64encode(self.ref_bytes).decode("ascii"), "text": self.ref_text}],
            "format": "wav",
            "streaming": False,
            "use_memory_cache": "on",  # the server keeps the clip's encoding between clauses
        }
        return "/v1/tts", json.dumps(request, ensure_ascii=False).encode(), "application/json"

    def _gptsovits(self, text: str, lang: str, speed: float) -> tuple[str, bytes, str]:
        request = {
            "text": text,
            "text_lang": lang,
            "ref_audio_path": self.ref_path,
            "prompt_text": self.ref_text or "",
            "prompt_lang": self.ref_lang,
            "media_type": "wav",
            "streaming_mode": False,
            "speed_factor": max(0.5, min(2.0, speed)),
        }
        return "/tts", json.dumps(request, ensure_ascii=False).encode(), "application/json"


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    """multipart/form-data body and its content type (what FastAPI's Form()/File() read)."""
    boundary = f"twincast-{uuid.uuid4().hex}"
    out = bytearray()
    for key, value in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'.encode() + value.encode("utf-8") + b"\r\n"
    for key, (filename, data) in files.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; filename="{filename}"\r\nContent-Type: audio/wav\r\n\r\n'.encode() + data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def _header_rate(headers: dict[str, str]) -> int | None:
    for key, value in headers.items():
        if key.lower() == "x-custom-header-samplerate":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _sidecar_text(ref: str) -> str | None:
    for suffix in (".txt", ".lab"):
        path = Path(ref).with_suffix(suffix)
        if path.is_file():
            return path.read_text(encoding="utf-8").strip() or None
    return None


def _read_clip(dialect: str, ref: str) -> bytes:
    """The clip's bytes, checked here so a bad clip is a start-up error, not a
    silent fallback on every clause."""
    path = Path(ref).expanduser()
    if not path.is_file():
        raise TwincastError(f"{dialect}: the reference clip {ref} does not exist", "give ref=<path to 3-10 s of the person speaking, WAV>")
    data = path.read_bytes()
    if not data or len(data) > MAX_REF_BYTES:
        raise TwincastError(f"{dialect}: the reference clip {ref} is {len(data):,} bytes", "use 3-10 s of clean speech as a WAV")
    if is_wav(data):
        try:
            pcm, rate = decode_wav(data)
        except ValueError as exc:
            raise TwincastError(f"{dialect}: the reference clip {ref} cannot be read ({exc})", "save it as 16-bit PCM WAV") from None
        seconds = len(pcm) / rate
        if not REF_SECONDS[0] <= seconds <= REF_SECONDS[1]:
            raise TwincastError(f"{dialect}: the reference clip {ref} is {seconds:.1f} s long", "cut 3-10 s of clean speech (the server clones from all of it)")
    return data
