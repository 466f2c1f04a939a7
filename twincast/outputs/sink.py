"""A sink: one output (a server, a folder) fed encoded packets on its own thread.

Each sink owns a bounded buffer (in seconds of media) so a slow or dead output
never holds up the room or the other sinks. When its output fails it closes,
waits with exponential backoff and opens again, starting on the next keyframe;
packets that pile up meanwhile are dropped and counted. Timestamps are rebased
so every connection or file starts at zero."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from fractions import Fraction

import av

from twincast.outputs.encoder import AvEncoder
from twincast.outputs.packets import EncodedPacket

log = logging.getLogger(__name__)

MAX_BUFFER_S = 3.0
BACKOFF_FIRST_S = 0.5
BACKOFF_MAX_S = 30.0


@dataclass
class SinkHealth:
    name: str
    target: str
    state: str = "starting"  # starting | up | reconnecting | closed
    connects: int = 0
    failures: int = 0
    last_error: str = ""
    packets: int = 0
    bytes: int = 0
    dropped: int = 0
    retry_in_s: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class _Session:
    container: av.container.OutputContainer
    streams: dict
    base: dict = field(default_factory=dict)  # kind -> pts offset in that kind's time base


class Sink:
    """Subclasses say how to open their container (`_open`) and may rotate (`_rotate_due`)."""

    def __init__(self, name: str, target: str, encoder: AvEncoder, max_buffer_s: float = MAX_BUFFER_S) -> None:
        self.name = name
        self.encoder = encoder
        self.health = SinkHealth(name, target)
        self.max_buffer_s = max_buffer_s
        self.backoff_max_s = BACKOFF_MAX_S
        self._queue: deque[EncodedPacket] = deque()
        self._cond = threading.Condition()
        self._stop = False
        self._session: _Session | None = None
        self._thread = threading.Thread(target=self._run, name=f"sink-{name}", daemon=True)

    # --- the room side ---------------------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def offer(self, packet: EncodedPacket) -> None:
        with self._cond:
            self._queue.append(packet)
            if self._buffered_s() > self.max_buffer_s:
                self._drop_to_next_keyframe()
            self._cond.notify()

    def close(self, timeout_s: float = 10.0) -> None:
        """Send what is buffered (when up), finalise, stop the thread."""
        with self._cond:
            self._stop = True
            self._cond.notify()
        self._thread.join(timeout_s)

    # --- subclass hooks --------------------------------------------------------------------------

    def _open(self) -> av.container.OutputContainer:
        raise NotImplementedError

    def _rotate_due(self, packet: EncodedPacket, session: _Session) -> bool:
        return False

    def _finalise(self, container: av.container.OutputContainer) -> None:
        container.close()

    # --- the sink thread -------------------------------------------------------------------------

    def _run(self) -> None:
        backoff = min(BACKOFF_FIRST_S, self.backoff_max_s)
        while True:
            with self._cond:
                if self._stop and not self._queue:
                    break
            try:
                self._session = self._connect()
                self.health.state, self.health.last_error, self.health.retry_in_s = "up", "", 0.0
                self.health.connects += 1
                backoff = BACKOFF_FIRST_S
                self._pump()
                break  # stopped cleanly
            except Exception as exc:  # noqa: BLE001 - any output failure means: reconnect
                self._fail(exc)
                if self._wait(backoff):
                    break
                backoff = min(self.backoff_max_s, backoff * 2)
        self._end_session()
        self.health.state = "closed"

    def _connect(self) -> _Session:
        container = self._open()
        streams = {
            "video": container.add_stream_from_template(self.encoder.video),
            "audio": container.add_stream_from_template(self.encoder.audio),
        }
        try:
            container.start_encoding()  # connect and write the header now: "up" means up
        except BaseException:
            try:
                container.close()
            except Exception:  # noqa: BLE001 - already failed
                pass
            raise
        return _Session(container, streams)

    def _pump(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._stop:
                    self._cond.wait(0.5)
                if not self._queue:
                    return  # stopped and drained
                packet = self._queue.popleft()
            session = self._session
            assert session is not None
            if packet.kind == "video" and packet.keyframe and self._rotate_due(packet, session):
                self._end_session()
                self._session = session = self._connect()
            self._write(session, packet)

    def _write(self, session: _Session, packet: EncodedPacket) -> None:
        if "video" not in session.base:
            if not (packet.kind == "video" and packet.keyframe):
                self.health.dropped += 1  # a connection starts on a keyframe
                return
            start_s = packet.pts * packet.time_base
            session.base["video"] = packet.pts
            session.base["audio"] = int(start_s / Fraction(1, self.encoder.profile.audio_rate_hz))
        base = session.base[packet.kind]
        if packet.dts - base < 0:
            self.health.dropped += 1
            return
        p = av.Packet(packet.data)
        p.pts, p.dts, p.time_base = packet.pts - base, packet.dts - base, packet.time_base
        p.is_keyframe = packet.keyframe
        p.stream = session.streams[packet.kind]
        session.container.mux(p)
        self.health.packets += 1
        self.health.bytes += len(packet.data)

    def _end_session(self) -> None:
        session, self._session = self._session, None
        if session is None:
            return
        try:
            self._finalise(session.container)
        except Exception as exc:  # noqa: BLE001 - a dead connection cannot be closed cleanly
            log.debug("%s: closing failed: %s", self.name, exc)

    def _fail(self, exc: Exception) -> None:
        self._end_session()
        self.health.failures += 1
        self.health.state = "reconnecting"
        self.health.last_error = str(exc)[:200]
        log.warning("output %s failed: %s", self.name, exc)
        with self._cond:  # stale media is useless live: start again from fresh packets
            self.health.dropped += len(self._queue)
            self._queue.clear()

    def _wait(self, seconds: float) -> bool:
        """Back off; True when the sink was stopped meanwhile."""
        self.health.retry_in_s = seconds
        deadline = time.monotonic() + seconds
        with self._cond:
            while not self._stop:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True

    def _buffered_s(self) -> float:
        videos = [p for p in (self._queue[0], self._queue[-1])]
        return float(videos[-1].dts * videos[-1].time_base - videos[0].dts * videos[0].time_base)

    def _drop_to_next_keyframe(self) -> None:
        """Too far behind: drop the oldest media up to the next video keyframe."""
        dropped = 1
        self._queue.popleft()
        while self._queue and not (self._queue[0].kind == "video" and self._queue[0].keyframe):
            self._queue.popleft()
            dropped += 1
        self.health.dropped += dropped
