"""What a viewer's player gets: pull a live stream from the server, as a platform's edge would, and
measure it at arrival.

The room counts a frame late when it starts that frame more than a period after its clock says, and
an underrun when a speaking frame's audio was not ready. Neither says whether a frame is missing
from the stream or how much buffer a player needs to show every frame on time; this does, from the
packets the server hands out. Each packet's lateness is its arrival time minus its timestamp; a
player that starts playing at the earliest of them plus B shows every frame on time when B is at
least the spread (the jitter). The first seconds are left out: the room's clock settles there
(engine.WARM_FRAMES) and the demuxer's probe hands out what it read in one burst.

    python -m twincast.testing.stream_watch rtmp://127.0.0.1:PORT/live/KEY --fps 30

prints one JSON line when the publisher stops."""

from __future__ import annotations

import argparse
import json
import sys
import time
from array import array
from dataclasses import dataclass, field

import av
import numpy as np

SETTLE_S = 2.0  # of media time, left out of the jitter
AAC_SAMPLES = 1024


@dataclass
class Arrivals:
    """Per stream: timestamps in ms (FLV's unit) and arrival times in ms, in the order received; 8 bytes
    each, so a day of a 30 fps stream is ~50 MB."""

    video_ms: array = field(default_factory=lambda: array("q"))
    video_at: array = field(default_factory=lambda: array("d"))
    audio_ms: array = field(default_factory=lambda: array("q"))
    audio_at: array = field(default_factory=lambda: array("d"))


def watch(url: str, open_timeout_s: float = 60.0, quiet_s: float = 3.0) -> Arrivals:
    """Packets until the publisher stops: nginx keeps a player connected to a stream that ended, so
    quiet_s without data ends the watch."""
    arrivals = Arrivals()
    # what the probe reads is handed out after it (with "nobuffer" it would be thrown away)
    options = {"analyzeduration": "500000"}
    container = av.open(url, options=options, timeout=(open_timeout_s, quiet_s))
    try:
        for packet in container.demux():
            now = time.monotonic() * 1000
            if packet.pts is None or packet.size == 0:
                continue
            ms = int(packet.pts * packet.time_base * 1000)
            if packet.stream.type == "video":
                arrivals.video_ms.append(ms)
                arrivals.video_at.append(now)
            elif packet.stream.type == "audio":
                arrivals.audio_ms.append(ms)
                arrivals.audio_at.append(now)
    except av.FFmpegError:
        if not arrivals.video_ms:  # a stream that never came, rather than one that ended
            raise
    finally:
        container.close()
    return arrivals


def summary(a: Arrivals, fps: int, audio_rate: int) -> dict:
    """Frames missing (gaps in the timestamps), and the buffer a player needs to show every frame and
    play every audio block on time after the first SETTLE_S."""
    if not a.video_ms:
        return {"video_frames": 0, "missing_frames": None, "jitter_ms": None}
    video_ms, video_at, audio_ms, audio_at = (np.asarray(x, np.float64) for x in (a.video_ms, a.video_at, a.audio_ms, a.audio_at))
    frames = np.round(video_ms * fps / 1000).astype(np.int64)
    distinct = np.unique(frames)
    # a connection's stream starts at zero (outputs/sink.py rebases it): frames before the first that came are missing too
    missing_video = int(distinct[-1] + 1 - len(distinct[distinct >= 0]))
    block_ms = AAC_SAMPLES * 1000 / audio_rate
    # FLV rounds to whole ms: a missing AAC block shows as a step of two blocks or more
    missing_audio = int(np.sum(np.round(np.diff(np.unique(audio_ms)) / block_ms) - 1)) if audio_ms.size > 1 else 0
    late = np.concatenate([video_at - video_ms, audio_at - audio_ms])
    media = np.concatenate([video_ms, audio_ms])
    start = media.min()
    steady = late[media >= start + SETTLE_S * 1000]
    spread = steady - steady.min() if steady.size else steady
    return {
        "video_frames": len(distinct),
        "missing_frames": missing_video,
        "missing_audio_blocks": missing_audio,
        "out_of_order": int(np.sum(np.diff(frames) < 0)),
        "jitter_ms": round(float(spread.max()), 1) if spread.size else None,
        "jitter_ms_p99": round(float(np.percentile(spread, 99)), 1) if spread.size else None,
        "first_frame": int(distinct[0]),
        "media_seconds": round((distinct[-1] + 1) / fps, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--fps", type=int, required=True)
    parser.add_argument("--audio-rate", type=int, default=48000)
    parser.add_argument("--open-timeout", type=float, default=60.0)
    args = parser.parse_args(argv)
    try:
        arrivals = watch(args.url, args.open_timeout)
    except (av.FFmpegError, OSError) as exc:
        print(json.dumps({"url": args.url, "error": str(exc)}))
        return 1
    print(json.dumps({"url": args.url, **summary(arrivals, args.fps, args.audio_rate)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
