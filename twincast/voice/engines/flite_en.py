"""English through Debian's `flite` (CMU Flite 2.2): a light fallback that
needs no Python package and no model download, ~0.2 s a sentence on one core.

flite is run as a subprocess (argument list, no shell). `-psdur` makes it
print every segment with its end time in seconds ("pau:0.220 hh:0.295 ...",
one line, times continuing across sentences), which become our phones:
symbols are flite's own (CMU phone set, lowercase; "pau" -> "sil"), starts
are the previous end. The default voice is `slt` (clustergen, 16 kHz), more
natural than the built-in diphone `kal` (8 kHz); `kal16` is the fastest.
Speed maps to flite's duration_stretch. flite silently falls back to its
default voice on an unknown name, so the name is checked against `flite -lv`."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from twincast.voice.engines.base import EngineError
from twincast.voice.engines.wav_bytes import decode_wav
from twincast.voice.speech import Phone, Piece

DEFAULT_VOICE = "slt"
TIMEOUT_S = 20.0  # a clause takes well under a second; this only catches a hung process
_INSTALL = "install it with `apt-get install flite` (Debian) or choose another engine"


def flite_path() -> str | None:
    return shutil.which("flite")


def parse_psdur(text: str, rate: int, n_samples: int, lang: str = "en") -> list[Phone]:
    """Phones from `-psdur` output, clamped to the audio that was written
    (the diphone voices trim ~0.1 s of the last pause they report)."""
    phones: list[Phone] = []
    start = 0
    for token in text.split():
        symbol, sep, end_s = token.rpartition(":")
        if not sep or not symbol:
            continue
        try:
            end = min(n_samples, round(float(end_s) * rate))
        except ValueError:
            continue
        symbol = "sil" if symbol.lower() == "pau" else symbol.lower()
        if end > start:
            if symbol == "sil" and phones and phones[-1].symbol == "sil":
                phones[-1] = Phone("sil", phones[-1].start, end, lang)
            else:
                phones.append(Phone(symbol, start, end, lang))
            start = end
    return phones


class FliteEnglish:
    name = "flite"
    langs = ("en",)

    def __init__(self, voice: str = DEFAULT_VOICE) -> None:
        self.lock = threading.Lock()
        binary = flite_path()
        if binary is None:
            raise EngineError("the flite engine needs the `flite` program, which is not installed", _INSTALL)
        self.binary = binary
        self.voice = voice
        if not Path(voice).is_file():
            listed = subprocess.run([binary, "-lv"], capture_output=True, text=True, timeout=TIMEOUT_S).stdout
            known = listed.split(":", 1)[-1].split()
            if voice not in known:
                raise EngineError(f"flite has no voice {voice!r}", f"use one of {', '.join(known)} or a path to a .flitevox file")

    def synthesize(self, text: str, lang: str = "en", speed: float = 1.0) -> Piece:
        stretch = 1.0 / max(0.5, min(2.0, speed))
        with tempfile.TemporaryDirectory(prefix="twincast-flite-") as tmp:
            wav = Path(tmp) / "out.wav"
            # "-t" makes flite take the next argument as text even when it
            # looks like a file name or starts with "-".
            cmd = [self.binary, "-voice", self.voice, "--setf", f"duration_stretch={stretch:.4f}", "-psdur", "-o", str(wav), "-t", text]
            try:
                done = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT_S, check=False)
            except FileNotFoundError:
                raise EngineError("the `flite` program has disappeared", _INSTALL) from None
            except subprocess.TimeoutExpired:
                raise EngineError(f"flite took more than {TIMEOUT_S:g} s on {text[:40]!r}", "shorten the text or choose another engine") from None
            if done.returncode != 0 or not wav.is_file():
                err = done.stderr.decode("utf-8", "replace").strip()[:200]
                raise EngineError(f"flite failed (exit {done.returncode}){': ' + err if err else ''}", "run `flite -t hello -o /tmp/x.wav` to see why")
            try:
                pcm, rate = decode_wav(wav.read_bytes())
            except ValueError as exc:
                raise EngineError(f"flite wrote audio that cannot be read ({exc})", "reinstall flite") from None
        phones = parse_psdur(done.stdout.decode("utf-8", "replace"), rate, len(pcm), lang)
        if not any(p.symbol != "sil" for p in phones):
            raise EngineError(f"flite found nothing to say in {text!r}", "give English words, not only symbols")
        return Piece(pcm, rate, phones)
