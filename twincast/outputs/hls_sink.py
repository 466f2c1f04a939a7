"""HLS to a folder: a rolling playlist for the browser preview or a CDN origin."""

from __future__ import annotations

from pathlib import Path

import av

from twincast.outputs.sink import Sink

PLAYLIST_SEGMENTS = 6


class HlsSink(Sink):
    def __init__(self, name: str, folder: Path, encoder) -> None:  # noqa: ANN001
        super().__init__(name, str(folder), encoder)
        self.folder = Path(folder)

    @property
    def playlist(self) -> Path:
        return self.folder / "index.m3u8"

    def _open(self) -> av.container.OutputContainer:
        self.folder.mkdir(parents=True, exist_ok=True)
        seconds = self.encoder.profile.gop_seconds
        return av.open(
            str(self.playlist),
            "w",
            format="hls",
            options={
                "hls_time": f"{seconds:g}",
                "hls_list_size": str(PLAYLIST_SEGMENTS),
                "hls_flags": "delete_segments+independent_segments+omit_endlist",
                "hls_segment_filename": str(self.folder / "seg-%06d.ts"),
            },
        )
