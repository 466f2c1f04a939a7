"""RTMP / RTMPS ingest (FLV over the network, PyAV's bundled FFmpeg with TLS)."""

from __future__ import annotations

import av

from twincast.outputs.sink import Sink

CONNECT_TIMEOUT_S = 5.0
IO_TIMEOUT_S = 5.0  # a server that stops reading fails the write instead of hanging the sink


def redact(url: str) -> str:
    """The URL without its secrets for logs and status: the stream key (the
    last path segment after the application) and any query (SRT streamid,
    passphrase)."""
    base, q, _ = url.partition("?")
    scheme, sep, rest = base.partition("://")
    host, slash, path = rest.partition("/")
    if slash and "/" in path:
        app, _, key = path.rpartition("/")
        base = f"{scheme}{sep}{host}/{app}/{'*' * 4}" if key else base
    return base + ("?****" if q else "")


class RtmpSink(Sink):
    def __init__(self, name: str, url: str, encoder) -> None:  # noqa: ANN001
        super().__init__(name, redact(url), encoder)
        self.url = url

    def _open(self) -> av.container.OutputContainer:
        return av.open(self.url, "w", format="flv", options={"flvflags": "no_duration_filesize"}, timeout=(CONNECT_TIMEOUT_S, IO_TIMEOUT_S))
