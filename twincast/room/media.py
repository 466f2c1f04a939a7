"""Frame n in, packets out to every sink: render, label, one encode, fan-out.

Two stages on two threads: while frame n is encoded, frame n+1 is rendered,
so a 1080x1920 room uses both cores. At most one frame waits between the
stages, so latency grows by one frame at most."""

from __future__ import annotations

import concurrent.futures

import numpy as np

from twincast.outputs.encoder import AvEncoder
from twincast.outputs.sink import Sink
from twincast.room.renderer import RoomRenderer


class MediaPipeline:
    def __init__(self, renderer: RoomRenderer, encoder: AvEncoder, sinks: list[Sink], preview=None) -> None:  # noqa: ANN001 - WebRtcPreview
        self.renderer = renderer
        self.encoder = encoder
        self.sinks = sinks
        self.preview = preview
        self._encode = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="room-encode")
        self._pending: concurrent.futures.Future | None = None

    def start(self) -> None:
        for sink in self.sinks:
            sink.start()

    def produce(self, n: int, mouth: int | None, audio: np.ndarray) -> None:
        frame = self.renderer.frame(mouth)
        if self._pending is not None:
            self._pending.result()  # one frame in flight at most; re-raises an encoder error
        self._pending = self._encode.submit(self._encode_and_publish, n, frame, audio)

    def _encode_and_publish(self, n: int, frame: np.ndarray, audio: np.ndarray) -> None:
        packets = self.encoder.encode_video(frame, n) + self.encoder.encode_audio(audio)
        self._publish(packets)
        if self.preview is not None:
            self.preview.offer(packets, audio)

    def _publish(self, packets: list) -> None:  # noqa: ANN001
        for sink in self.sinks:
            for p in packets:
                sink.offer(p)

    def close(self) -> None:
        """Flush the encoder into every sink, then finalise them (recordings become playable)."""
        if self._pending is not None:
            self._pending.result()
        self._encode.shutdown(wait=True)
        self._publish(self.encoder.flush())
        for sink in self.sinks:
            sink.close()
        self.encoder.close()

    def health(self) -> list[dict]:
        return [s.health.as_dict() for s in self.sinks] + ([self.preview.health()] if self.preview is not None else [])
