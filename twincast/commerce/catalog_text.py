"""A catalogue file's bytes -> text: size limit first, then UTF-8 (with or without BOM) or GBK.

Excel in China saves "CSV" as GBK unless told "CSV UTF-8", so GB18030 (a superset of GBK)
is tried when UTF-8 fails, and the import report says so. A file that is UTF-8 up to one
broken byte is reported as broken rather than re-read as GBK mojibake."""

from __future__ import annotations

import codecs
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from twincast.errors import TwincastError

MAX_FILE_BYTES = 50_000_000
SAVE_AS_UTF8 = "save it as UTF-8 (Excel: 另存为 / Save As → 'CSV UTF-8 (逗号分隔)')"
# Non-ASCII characters already read as UTF-8 before the first bad byte: past this many the file
# is UTF-8 with damage, not GBK (a GBK file fails on its first or second Chinese character).
_UTF8_EVIDENCE = 3


@dataclass(frozen=True)
class SourceText:
    text: str
    encoding: str  # "utf-8", "utf-8-sig" (with BOM) or "gb18030"
    sha256: str
    size_bytes: int


def read_source(path: Path, max_bytes: int = MAX_FILE_BYTES) -> SourceText:
    data = _read_bounded(path, max_bytes)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise TwincastError(f"{path.name}: saved as UTF-16 ('Unicode Text')", SAVE_AS_UTF8)
    if data.startswith(b"PK\x03\x04"):
        raise TwincastError(f"{path.name}: this is a zip file (an Excel .xlsx?), not text", SAVE_AS_UTF8)
    if not data.strip():
        raise TwincastError(f"{path.name}: the file is empty", "give a catalogue with at least one product")
    text, encoding = _decode(data, path.name)
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise TwincastError(f"{path.name} line {line}: a NUL byte; this is not a text file", SAVE_AS_UTF8)
    return SourceText(text, encoding, hashlib.sha256(data).hexdigest(), len(data))


def _read_bounded(path: Path, max_bytes: int) -> bytes:
    try:
        with open(path, "rb") as f:
            # The size is known before a byte is read: a 2 GB file is refused at once, in no memory.
            size = os.fstat(f.fileno()).st_size
            if size > max_bytes:
                raise TwincastError(
                    f"{path.name}: {size / 1e6:.1f} MB; a catalogue may be at most {max_bytes / 1e6:.0f} MB",
                    "split it, or drop columns the room does not use (images, long descriptions)",
                )
            data = f.read(max_bytes + 1)  # a pipe or a growing file has no trustworthy size
    except IsADirectoryError:
        raise TwincastError(f"{path}: is a folder", "give the catalogue file (.yaml, .json or .csv)") from None
    except FileNotFoundError:
        raise TwincastError(f"{path}: no such file", "check the path of the catalogue file") from None
    except OSError as exc:
        raise TwincastError(f"{path}: cannot read it ({exc.strerror or exc})", "check the file's permissions") from None
    if len(data) > max_bytes:
        raise TwincastError(f"{path.name}: more than {max_bytes / 1e6:.0f} MB", "split the catalogue into smaller files")
    return data


def _decode(data: bytes, name: str) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            _undecodable(data, exc.start + len(codecs.BOM_UTF8), name)  # a BOM says UTF-8: no GBK guess
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        bad = exc.start
    prefix = data[:bad].decode("utf-8")
    if sum(1 for ch in prefix if ord(ch) > 127) >= _UTF8_EVIDENCE:
        _undecodable(data, bad, name)
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        _undecodable(data, bad, name)
    raise AssertionError("unreachable")


def _undecodable(data: bytes, offset: int, name: str) -> None:
    line = data.count(b"\n", 0, offset) + 1
    raise TwincastError(
        f"{name} line {line}: byte 0x{data[offset]:02x} (offset {offset}) is neither UTF-8 nor GBK text",
        SAVE_AS_UTF8,
    )
