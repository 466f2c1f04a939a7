"""Audio bytes from a pipe or a server -> mono float32 in [-1, 1] and its rate.

WAV here is read by walking the RIFF chunks ourselves rather than with the
`wave` module, because what servers and CLIs send is often not a tidy file:
a streamed WAV (GPT-SoVITS, espeak-ng on a pipe) declares a data size of 0 or
0xFFFFFFFF and then simply keeps going; soundfile writes 32-bit float and
WAVE_FORMAT_EXTENSIBLE headers that `wave` (Python 3.11) refuses; a LIST
chunk may come before the data. Errors are ValueError with one plain sentence;
callers wrap them in their own error (an engine: EngineError)."""

from __future__ import annotations

import struct

import numpy as np

_PCM = 1
_FLOAT = 3
_EXTENSIBLE = 0xFFFE
_UNKNOWN_SIZE = (0, 0xFFFFFFFF)  # what a writer that cannot seek puts in the header


def is_wav(data: bytes) -> bool:
    return len(data) >= 12 and data[:4] in (b"RIFF", b"RF64") and data[8:12] == b"WAVE"


def decode_wav(data: bytes) -> tuple[np.ndarray, int]:
    """Samples (mono float32, channels averaged) and the sample rate of a WAV."""
    if not is_wav(data):
        raise ValueError(f"not a WAV file (it starts with {data[:12]!r})")
    fmt: tuple[int, int, int, int] | None = None  # format tag, channels, rate, bits
    pos = 12
    while pos + 8 <= len(data):
        tag, size = data[pos : pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
        body = pos + 8
        if tag == b"fmt ":
            if size < 16 or body + 16 > len(data):
                raise ValueError("the WAV format chunk is cut short")
            code, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", data, body)
            if code == _EXTENSIBLE and size >= 40:
                code = struct.unpack_from("<H", data, body + 24)[0]  # the sub-format GUID starts with the tag
            fmt = (code, channels, rate, bits)
        elif tag == b"data":
            if fmt is None:
                raise ValueError("the WAV has samples before its format chunk")
            # A size of 0 / 0xFFFFFFFF, or one past the end of what arrived,
            # means "until the end": a streamed or truncated file.
            end = len(data) if size in _UNKNOWN_SIZE or body + size > len(data) else body + size
            return _samples(data[body:end], *fmt)
        pos = body + size + (size & 1)  # chunks are padded to even sizes
    raise ValueError("the WAV has no data chunk")


def decode_raw(data: bytes, rate: int, dtype: str = "<i2", channels: int = 1) -> tuple[np.ndarray, int]:
    """Headerless PCM (e.g. OpenAI's "pcm": 24 kHz s16le, CosyVoice's int16 stream)."""
    kind = np.dtype(dtype)
    code, bits = (_FLOAT if kind.kind == "f" else _PCM), kind.itemsize * 8
    return _samples(data, code, channels, rate, bits)


def _samples(payload: bytes, code: int, channels: int, rate: int, bits: int) -> tuple[np.ndarray, int]:
    if channels < 1 or not 1000 <= rate <= 384000:
        raise ValueError(f"the audio header is implausible ({channels} channels at {rate} Hz)")
    width = bits // 8
    frame = width * channels
    if frame == 0:
        raise ValueError(f"unsupported sample size of {bits} bits")
    payload = payload[: len(payload) // frame * frame]  # a stream cut mid-sample
    if code == _FLOAT and bits in (32, 64):
        pcm = np.frombuffer(payload, f"<f{width}").astype(np.float32)
    elif code == _PCM and bits == 8:
        pcm = (np.frombuffer(payload, np.uint8).astype(np.float32) - 128.0) / 128.0
    elif code == _PCM and bits == 16:
        pcm = np.frombuffer(payload, "<i2").astype(np.float32) / 32768.0
    elif code == _PCM and bits == 24:
        b = np.frombuffer(payload, np.uint8).reshape(-1, 3).astype(np.int32)
        pcm = (((b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)) << 8) >> 8).astype(np.float32) / 8388608.0
    elif code == _PCM and bits == 32:
        pcm = (np.frombuffer(payload, "<i4").astype(np.float64) / 2147483648.0).astype(np.float32)
    else:
        raise ValueError(f"unsupported WAV encoding (format {code:#x}, {bits} bits); send 16-bit PCM or float")
    if channels > 1:
        pcm = pcm.reshape(-1, channels).mean(axis=1)
    return pcm.astype(np.float32, copy=False), int(rate)


def encode_wav(pcm: np.ndarray, rate: int) -> bytes:
    """16-bit mono WAV bytes (what a reference clip or a test server sends)."""
    data = (np.clip(np.asarray(pcm, np.float32), -1, 1) * 32767).astype("<i2").tobytes()
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, _PCM, 1, rate, rate * 2, 2, 16)
    return header + b"data" + struct.pack("<I", len(data)) + data
