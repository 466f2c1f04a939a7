"""Frame n in, packets out to every sink: render, label, one encode, fan-out."""

from __future__ import annotations

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

    def start(self) -> None:
        for sink in self.sinks:
            sink.start()

    def produce(self, n: int, mouth: int | None, audio: np.ndarray) -> None:
        frame = self.renderer.frame(mouth)
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
        self._publish(self.encoder.flush())
        for sink in self.sinks:
            sink.close()
        self.encoder.close()

    def health(self) -> list[dict]:
        return [s.health.as_dict() for s in self.sinks] + ([self.preview.health()] if self.preview is not None else [])
