"""Cut normalised text into the pieces an engine speaks one at a time.

A piece is a clause: short enough that the first audio is ready quickly and
that a cancel lands within one piece, ending where a speaker would pause.
Inside Mandarin text, Latin spans (brand and model names) go to the English
engine, because the Mandarin voice silently drops Latin letters; inside
English text, Chinese spans go to the Mandarin engine."""

from __future__ import annotations

import re
from dataclasses import dataclass

from twincast.voice.text_normalize import normalize

SENTENCE_PAUSE_MS = 320
CLAUSE_PAUSE_MS = 160
MAX_CHARS = {"zh": 24, "en": 120}  # ~4-6 s of speech: bounds first-chunk latency and cancel delay

_SENTENCE_END = "。！？!?；;…"
_CLAUSE_END = "，、,：:"
_SPLIT = re.compile(rf"(?<=[{_SENTENCE_END}{_CLAUSE_END}])|(?<=\.)(?=\s)")
_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z'’\-]*(?:\s+[A-Za-z][A-Za-z'’\-]*)*")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff][\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff，、：；。！？\s]*")
_SPEAKABLE = re.compile(r"[A-Za-z0-9\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_INITIALISM = re.compile(r"^[A-Z]{1,5}$")
_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True)
class Clause:
    text: str
    lang: str
    pause_ms: int  # silence after it; 0 inside a clause that switches language


def resolve_lang(text: str, lang: str) -> str:
    if lang == "auto":
        # Mixed text is spoken in the language most of it is in: an English
        # sentence naming one Chinese product stays English.
        cjk = len(_CJK_CHAR.findall(text))
        return "zh" if cjk and cjk >= len(_LATIN_WORD.findall(text)) else "en"
    if lang not in ("zh", "en"):
        from twincast.errors import TwincastError

        raise TwincastError(f"language {lang!r} is not supported", "use --lang zh, en or auto")
    return lang


def clauses(text: str, lang: str = "auto") -> list[Clause]:
    """Normalised clauses of `text`, each tagged with the language that speaks it."""
    main = resolve_lang(text, lang)
    out: list[Clause] = []
    for part in _SPLIT.split(normalize(text, main)):
        part = part.strip()
        if not _SPEAKABLE.search(part):
            continue
        pause = SENTENCE_PAUSE_MS if part[-1] in _SENTENCE_END + "." else CLAUSE_PAUSE_MS
        pieces = [(p, span_lang) for span, span_lang in _by_language(part, main) for p in _by_length(span, span_lang)]
        out += [Clause(p, span_lang, pause if i == len(pieces) - 1 else 0) for i, (p, span_lang) in enumerate(pieces)]
    return out


def _by_length(part: str, lang: str) -> list[str]:
    limit = MAX_CHARS[lang]
    if len(part) <= limit:
        return [part]
    if lang == "en":
        words, pieces, cur = part.split(), [], ""
        for w in words:
            if cur and len(cur) + 1 + len(w) > limit:
                pieces.append(cur)
                cur = w
            else:
                cur = f"{cur} {w}".strip()
        return pieces + [cur] if cur else pieces
    n = -(-len(part) // limit)  # even cuts: no 1-character tail
    size = -(-len(part) // n)
    return [part[k : k + size] for k in range(0, len(part), size)]


def _by_language(piece: str, main: str) -> list[tuple[str, str]]:
    foreign, other = (_LATIN_RUN, "en") if main == "zh" else (_CJK_RUN, "zh")
    spans: list[tuple[str, str]] = []
    pos = 0
    for m in foreign.finditer(piece):
        if m.start() > pos:
            spans.append((piece[pos : m.start()], main))
        word = m.group(0).strip()
        if other == "en" and _INITIALISM.match(word):
            word = " ".join(word)  # "XL" -> "X L": read as letters
        spans.append((word if other == "en" else normalize(word, "zh"), other))
        pos = m.end()
    if pos < len(piece):
        spans.append((piece[pos:], main))
    return [(s.strip(), l) for s, l in spans if _SPEAKABLE.search(s)]
