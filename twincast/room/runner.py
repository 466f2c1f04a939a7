"""`twincast live room.yaml`: build a room from its file and run it until stopped."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import os
import secrets
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from twincast.clone.clone import load_clone
from twincast.errors import TwincastError
from twincast.lipsync.live_mouth import LiveMouth, calibrate
from twincast.lipsync.render import check_clone_usable
from twincast.outputs.encoder import AvEncoder
from twincast.outputs.hls_sink import HlsSink
from twincast.outputs.recording_sink import RecordingSink
from twincast.outputs.sink import Sink
from twincast.outputs.srt_sink import SrtSink
from twincast.outputs.stream_sink import RtmpSink
from twincast.progress import Progress
from twincast.room.clock import Clock, MonotonicClock
from twincast.room.config import RoomConfig
from twincast.room.engine import Room
from twincast.room.media import MediaPipeline
from twincast.room.renderer import RoomRenderer
from twincast.room.speaker import Speaker
from twincast.room.speech_process import SpeechProcess
from twincast.trust.withdrawal import withdrawn
from twincast.room.speech_threads import RoomPriorities, at_home, first_chunk_executor, lower_other_threads, room_priorities, speech_executor, this_thread_nice, thread_of
from twincast.voice.voice_setup import make_voice

log = logging.getLogger(__name__)

DEFAULT_AUDIT = Path(os.environ.get("TWINCAST_DATA", Path.home() / ".local" / "share" / "twincast")) / "audit"
WATCH_S = 1.0  # real seconds between checks for a withdrawn consent (withdrawal waits 2 s before deleting)


def build_sinks(cfg: RoomConfig, encoder: AvEncoder, clock: Clock) -> list[Sink]:
    sinks: list[Sink] = []
    for i, out in enumerate(cfg.outputs):
        name = f"{out.type}-{i}"
        if out.type == "rtmp":
            if encoder.profile.rtmps_required and not out.url.startswith("rtmps://"):
                raise TwincastError(f"outputs.{i}: {encoder.profile.name} only accepts rtmps:// ingest", "use the rtmps:// URL from the platform's stream settings")
            sinks.append(RtmpSink(name, out.url, encoder))
        elif out.type == "srt":
            sinks.append(SrtSink(name, out.url, encoder))
        elif out.type == "hls":
            sinks.append(HlsSink(name, out.folder, encoder))
        elif out.type == "record":
            sinks.append(RecordingSink(name, out.folder, encoder, lambda: clock.wall().strftime("%Y%m%d-%H%M%S"), out.rotate_minutes * 60))
        # webrtc is not a sink: RunningRoom gives it the room's packets and serves it on the control API
    return sinks


class RunningRoom:
    """Everything a room is made of, for the CLI, the benchmark and the tests."""

    def __init__(self, cfg: RoomConfig, progress: Progress, clock: Clock | None = None, script_base: Path = Path("."), await_speech: bool = False) -> None:
        self.cfg = cfg
        self.clock = clock or MonotonicClock()
        self.stopped_because = ""
        profile = cfg.platform()
        # A line's first chunk a few steps above the frames: raised in the speech process where the
        # system allows, else every other thread here lowered, once the two that make and hand on
        # first chunks are born at the priority the process started with (speech_threads.at_home).
        self.priorities = room_priorities() if speech_in_child() else RoomPriorities()
        self._first = at_home(first_chunk_executor)
        # The voice loads in its own process (or, as a baseline, on the lowered speech thread) while
        # the clone loads here.
        self.voice = at_home(room_voice, functools.partial(make_voice, cfg.engine, cfg.clone, rate=profile.audio_rate_hz, live=True), self.priorities)
        if self.priorities.lower_the_rest:
            lower_other_threads(self.priorities.lower_the_rest, keep=thread_of(self._first))
        self.frames_nice = this_thread_nice()  # the frames' threads are born of this one
        try:
            self._build(cfg, progress, profile, script_base, await_speech)
        except BaseException:
            self.close_voice()
            self._first.shutdown(wait=False)
            raise

    def _build(self, cfg: RoomConfig, progress: Progress, profile, script_base: Path, await_speech: bool) -> None:  # noqa: ANN001 - PlatformProfile
        clone = load_clone(cfg.clone)
        check_clone_usable(clone, "live", self.clock.wall().date())
        speech = speech_executor()
        with progress.step("loading the voice and calibrating the lips to it"):
            if not isinstance(self.voice, SpeechProcess):
                self.voice = speech.submit(self.voice).result()
            mouth = LiveMouth(clone, speech.submit(calibrate, clone, self.voice, cfg.language).result())
        self.encoder = AvEncoder(profile)
        self.preview = None
        if any(out.type == "webrtc" for out in cfg.outputs):
            from twincast.outputs.webrtc_preview import WebRtcPreview

            self.preview = WebRtcPreview(self.encoder)
        self.media = MediaPipeline(RoomRenderer(clone, profile.width, profile.height, cfg.language), self.encoder, build_sinks(cfg, self.encoder, self.clock), self.preview)
        self.room = Room(self.clock, profile.fps, profile.audio_rate_hz, self.media.produce, lambda pb: self.speaker.steps(pb), cfg.script_lines(script_base), cfg.loop_script, await_speech=await_speech, speech=speech, first=self._first)
        from twincast.commerce.ad_guard import check as guard
        from twincast.trust.audit import AuditLog

        self.audit = AuditLog(cfg.audit or DEFAULT_AUDIT, self.clock.wall)
        self.speaker = speech.submit(Speaker, self.voice, mouth, cfg.language, cfg.disclosure, lambda: self.room.stats.frames, guard=guard, audit=self.audit).result()
        self.link = self._commerce(cfg) if cfg.catalog is not None else None
        # The stream opens with the audio disclosure, like a file.
        self.room.enqueue(OPENING_LINE[cfg.language], source="operator", reply=True)

    def _commerce(self, cfg: RoomConfig):  # noqa: ANN202 - CommerceLink
        from twincast.chat.factory import build_source
        from twincast.chat.source import ChatHub
        from twincast.commerce.catalog_io import load_catalog
        from twincast.commerce.director import Director
        from twincast.room.commerce_link import CommerceLink

        catalog = load_catalog(cfg.catalog)
        for sku in [cfg.pinned_sku] + [s for _, s in cfg.schedule]:
            if sku and catalog.product(sku) is None:
                raise TwincastError(f"{sku!r} (pinned_sku / schedule) is not in the catalogue", "use SKUs from the catalogue file")
        now_s = lambda: self.clock.now_ns() / 1e9  # noqa: E731 - the room clock, in seconds
        reworder = None
        if cfg.llm is not None:
            from twincast.commerce.llm_rephrase import Rephraser
            from twincast.commerce.rephrase_worker import RephraseWorker

            reworder = RephraseWorker(Rephraser(cfg.llm.url, model=cfg.llm.model, timeout_s=cfg.llm.timeout_s, key_env=cfg.llm.key_env).rephrase)
        director = Director(catalog, cfg.language, now_s, segment_s=cfg.segment_seconds, pinned_sku=cfg.pinned_sku,
                            schedule=list(cfg.schedule) or None, wall=self.clock.wall, rephrase_fn=reworder)
        sources = [build_source(c, catalog.currency, (cfg.language,)) for c in cfg.chat]
        hub = ChatHub(sources, clock=self.clock) if sources else None
        return CommerceLink(self.room, director, hub, self.media.renderer.overlay, now_s, reworder)

    def status(self) -> dict:
        extra = {"commerce": self.link.status()} if self.link is not None else {}
        if isinstance(self.voice, SpeechProcess):
            extra["speech_process"] = {"pid": self.voice.pid, "restarts": self.voice.restarts, "nice": self.nice()}
        return {**self.room.status(), "outputs": self.media.health(), "engine_failures": self.voice.failures, "stopped_because": self.stopped_because, **extra}

    def nice(self) -> dict[str, int]:
        """The nice values of a line's first chunk, of the rest of it, and of the frames; {} before the speech process is ready."""
        made = getattr(self.voice, "priorities", {})
        return {**made, "frames": self.frames_nice} if made else {}

    def close_voice(self) -> None:
        if isinstance(self.voice, SpeechProcess):
            self.voice.close()

    async def _watch_consent(self) -> None:
        """A withdrawn consent stops the room (the clone's data is about to be deleted)."""
        while True:
            await asyncio.sleep(WATCH_S)
            if withdrawn(self.cfg.clone) is not None:
                self.stopped_because = "the person withdrew consent"
                log.warning("consent withdrawn for %s: stopping the room", self.cfg.clone)
                self.room.stop()
                return

    async def run(self, seconds: float | None = None, control_port: int | None = None, token: str | None = None) -> None:
        server = None
        if self.preview is not None:
            self.preview.bind(asyncio.get_running_loop())
        if control_port is not None:
            server = await _serve(self, control_port, token or "")
        self.media.start()
        watchdog = asyncio.get_running_loop().create_task(self._watch_consent())
        commerce = asyncio.get_running_loop().create_task(self.link.run()) if self.link is not None else None
        try:
            await self.room.run(seconds)
        finally:
            self.close_voice()
            watchdog.cancel()
            if commerce is not None:
                commerce.cancel()
                await asyncio.gather(commerce, return_exceptions=True)
            self.media.close()
            if self.preview is not None:
                await self.preview.close_all()
            if server is not None:
                server.should_exit = True


def speech_in_child() -> bool:
    """False with TWINCAST_SPEECH_PROCESS=0, the benchmarks' baseline: the voice in the room's process."""
    return os.environ.get("TWINCAST_SPEECH_PROCESS", "1") != "0"


def room_voice(factory: Callable, priorities: RoomPriorities) -> SpeechProcess | Callable:
    """The room's voice: a started SpeechProcess, or in the baseline (speech_in_child) the factory
    itself, to be called on the speech thread."""
    if not speech_in_child():
        return factory
    return SpeechProcess(factory, nice=priorities.speech_nice(), raise_by=priorities.raise_first_chunk).start()


# The first line of every stream, with the audio disclosure in front of it (reply=True).
OPENING_LINE = {"zh": "大家好，欢迎来到直播间。", "en": "Hello everyone, welcome to the stream."}


async def _serve(running: RunningRoom, port: int, token: str):  # noqa: ANN202 - uvicorn.Server
    import uvicorn

    from twincast.room.control_api import HOST, make_app

    app = make_app(running.room, token, running.status, running.preview)
    server = uvicorn.Server(uvicorn.Config(app, host=HOST, port=port, log_level="warning", lifespan="off"))
    asyncio.get_running_loop().create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    return server


def live(room_file: Path, seconds: float | None, progress: Progress) -> dict:
    from twincast.room.config import load_room

    cfg = load_room(room_file)
    if not cfg.outputs:
        raise TwincastError(f"{room_file.name}: no outputs", "add at least one, e.g. outputs: [{type: record, folder: out/rec}]")
    from twincast.commerce.ad_guard import check_script

    for warning in check_script(cfg.script_lines(room_file.parent), cfg.language):  # operator scripts are guarded too
        print(f"twincast: script: {warning} (the guard rewrites it when spoken)", file=sys.stderr)
    token = os.environ.get(cfg.control.token_env) or secrets.token_urlsafe(18)
    running = RunningRoom(cfg, progress, script_base=room_file.parent)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, running.room.stop)
        task = loop.create_task(running.run(seconds, cfg.control.port, token))
        print(f"twincast: room live; control API http://127.0.0.1:{cfg.control.port} (token from ${cfg.control.token_env} or: {token}); Ctrl-C stops", file=sys.stderr, flush=True)
        await task

    asyncio.run(main())
    return running.status()
