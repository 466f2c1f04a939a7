"""MP4 recording, a new file every hour (at the next keyframe).

Files are fragmented MP4 (a moof per keyframe): a file cut short by a crash or
power loss still plays up to its last fragment. The file is written as
`.mp4.part` and renamed when finalised, so a finished name is always a whole
file. Every file carries the AIGC metadata key with its own ProduceID."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import av

from twincast.outputs.packets import EncodedPacket
from twincast.outputs.sink import Sink
from twincast.trust.aigc import aigc_json

ROTATE_SECONDS = 3600


class RecordingSink(Sink):
    def __init__(self, name: str, folder: Path, encoder, stamp: Callable[[], str], rotate_seconds: float = ROTATE_SECONDS) -> None:  # noqa: ANN001
        # A disk is fast but can stall (fsync, a busy SD card): allow a minute
        # before anything is dropped from a recording.
        super().__init__(name, str(folder), encoder, max_buffer_s=60.0)
        self.folder = Path(folder)
        self.stamp = stamp  # names files from the room clock's wall time, e.g. 20261126-010203
        self.rotate_seconds = rotate_seconds
        self.files: list[Path] = []
        self._part: Path | None = None

    def _open(self) -> av.container.OutputContainer:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"room-{self.stamp()}"
        path = self.folder / f"{name}.mp4"
        n = 1
        while path.exists():
            n += 1
            path = self.folder / f"{name}-{n}.mp4"
        self._part = path.with_name(path.name + ".part")
        container = av.open(str(self._part), "w", format="mp4", options={"movflags": "+frag_keyframe+empty_moov+default_base_moof+use_metadata_tags"})
        container.metadata["AIGC"] = aigc_json()
        return container

    def _rotate_due(self, packet: EncodedPacket, session) -> bool:  # noqa: ANN001 - sink._Session
        start = session.base.get("video")
        return start is not None and (packet.pts - start) * packet.time_base >= self.rotate_seconds

    def _finalise(self, container: av.container.OutputContainer) -> None:
        container.close()
        part, self._part = self._part, None
        if part is not None and part.exists():
            done = part.with_name(part.name.removesuffix(".part"))
            part.rename(done)
            self.files.append(done)
