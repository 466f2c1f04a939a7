"""RTMP / RTMPS ingest (FLV over the network, PyAV's bundled FFmpeg with TLS)."""

from __future__ import annotations

import av

from twincast.outputs.sink import Sink

CONNECT_TIMEOUT_S = 5.0
IO_TIMEOUT_S = 5.0  # a server that stops reading fails the write instead of hanging the sink


def redact(url: str) -> str:
    """The URL without its stream key (a secret) for logs and status."""
    head, _, tail = url.rpartition("/")
    return f"{head}/{'*' * 4}" if head and tail else url


class RtmpSink(Sink):
    def __init__(self, name: str, url: str, encoder) -> None:  # noqa: ANN001
        super().__init__(name, redact(url), encoder)
        self.url = url

    def _open(self) -> av.container.OutputContainer:
        return av.open(self.url, "w", format="flv", options={"flvflags": "no_duration_filesize"}, timeout=(CONNECT_TIMEOUT_S, IO_TIMEOUT_S))
