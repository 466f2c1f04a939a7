"""SRT ingest. PyAV's bundled FFmpeg has no libsrt, so the sink muxes MPEG-TS
into a pipe and Debian's ffmpeg (built with libsrt) copies it to the SRT URL:
still one encode; ffmpeg only forwards packets."""

from __future__ import annotations

import shutil
import subprocess

import av

from twincast.errors import TwincastError
from twincast.outputs.sink import Sink
from twincast.outputs.stream_sink import redact


class SrtSink(Sink):
    def __init__(self, name: str, url: str, encoder) -> None:  # noqa: ANN001
        super().__init__(name, redact(url), encoder)
        if shutil.which("ffmpeg") is None:
            raise TwincastError("SRT output needs the ffmpeg program", "install it: sudo apt-get install ffmpeg")
        # MPEG-TS over SRT must go in 1316-byte payloads (7 TS packets).
        self.url = url if "pkt_size=" in url else url + ("&" if "?" in url else "?") + "pkt_size=1316"
        self._proc: subprocess.Popen | None = None

    def _open(self) -> av.container.OutputContainer:
        self._proc = subprocess.Popen(
            # Probe half a second, not ffmpeg's default five: it is our own stream, its
            # first packet is a keyframe with its parameter sets.
            ["ffmpeg", "-hide_banner", "-loglevel", "error", "-probesize", "65536", "-analyzeduration", "500000", "-f", "mpegts", "-i", "pipe:0", "-c", "copy", "-f", "mpegts", self.url],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return av.open(self._proc.stdin, "w", format="mpegts")

    def _finalise(self, container: av.container.OutputContainer) -> None:
        try:
            container.close()
        finally:
            proc, self._proc = self._proc, None
            if proc is not None:
                if proc.stdin:
                    proc.stdin.close()
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
