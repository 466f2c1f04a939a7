"""The player-side measure of a live stream (twincast.testing.stream_watch): what is missing, and
the buffer a player needs. Figures from known arrivals, then a real stream through nginx-rtmp."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import numpy as np
import pytest

from twincast.outputs.encoder import AvEncoder
from twincast.outputs.profiles import PROFILES
from twincast.outputs.stream_sink import RtmpSink
from twincast.testing.nginx_rtmp import NginxRtmp, available
from twincast.testing.stream_watch import AAC_SAMPLES, Arrivals, summary

FPS, RATE = 25, 48000


def arrivals(seconds: float, lag_ms=lambda t: 0.0, skip_frames=(), skip_blocks=()) -> Arrivals:  # noqa: ANN001
    """A stream whose packets arrive lag_ms(t) after their timestamp t (ms) plus a fixed 500 ms."""
    a = Arrivals()
    for n in range(int(seconds * FPS)):
        if n not in skip_frames:
            t = n * 1000 // FPS
            a.video_ms.append(t)
            a.video_at.append(10_000 + t + 500 + lag_ms(t))
    block_ms = AAC_SAMPLES * 1000 / RATE
    for k in range(int(seconds * 1000 / block_ms)):
        if k not in skip_blocks:
            t = int(k * block_ms)  # FLV keeps whole ms
            a.audio_ms.append(t)
            a.audio_at.append(10_000 + t + 500 + lag_ms(t))
    return a


def test_a_whole_steady_stream_has_nothing_missing_and_no_jitter():
    s = summary(arrivals(10), FPS, RATE)
    assert s["video_frames"] == 250 and s["first_frame"] == 0 and s["media_seconds"] == 10.0
    assert s["missing_frames"] == 0 and s["missing_audio_blocks"] == 0 and s["out_of_order"] == 0
    assert s["jitter_ms"] == 0.0


def test_missing_frames_and_audio_blocks_are_counted_wherever_they_are():
    s = summary(arrivals(10, skip_frames={0, 1, 100}, skip_blocks={50, 51, 52}), FPS, RATE)
    assert s["missing_frames"] == 3  # two at the head: the stream starts at zero
    assert s["missing_audio_blocks"] == 3


def test_jitter_is_the_buffer_that_shows_every_frame_on_time_after_the_settling_seconds():
    stall = summary(arrivals(10, lag_ms=lambda t: 80.0 if 5000 <= t < 5200 else 0.0), FPS, RATE)
    assert stall["jitter_ms"] == 80.0
    assert stall["missing_frames"] == 0  # late, not missing
    start_up = summary(arrivals(10, lag_ms=lambda t: 300.0 if t < 1000 else 0.0), FPS, RATE)
    assert start_up["jitter_ms"] == 0.0  # the probe's burst and the clock's warm-up are left out


@pytest.mark.skipif(available() is not None, reason=str(available()))
def test_a_player_pulling_from_nginx_finds_the_frame_a_publisher_skipped(tmp_path):
    profile = PROFILES["custom"].model_copy(update={"width": 320, "height": 240, "fps": FPS, "video_kbps": 600, "h264_profile": "main"})
    with NginxRtmp(tmp_path / "nginx") as server:
        urls = [server.rtmp_url("whole"), server.rtmp_url("holed")]
        watchers = [subprocess.Popen([sys.executable, "-m", "twincast.testing.stream_watch", url, "--fps", str(FPS)], stdout=subprocess.PIPE, text=True) for url in urls]
        time.sleep(1.0)  # both players wait on the server before the publishers start
        encoders = [AvEncoder(profile), AvEncoder(profile)]
        sinks = [RtmpSink(f"s{i}", url, enc) for i, (url, enc) in enumerate(zip(urls, encoders))]
        for sink in sinks:
            sink.start()
        t0 = time.monotonic()
        for n in range(3 * FPS):
            picture = np.full((240, 320, 3), 40 + n, np.uint8)
            silence = np.zeros(RATE // FPS, np.float32)
            for i, (enc, sink) in enumerate(zip(encoders, sinks)):
                if i == 1 and n == 40:
                    continue  # frame 40 never made: a gap in the stream
                for p in enc.encode_video(picture, n) + enc.encode_audio(silence):
                    sink.offer(p)
            time.sleep(max(0.0, t0 + (n + 1) / FPS - time.monotonic()))
        for sink in sinks:
            sink.close()
        whole, holed = (json.loads(w.communicate(timeout=30)[0]) for w in watchers)
    assert whole["video_frames"] == 3 * FPS and whole["first_frame"] == 0, whole
    assert whole["missing_frames"] == 0 and whole["missing_audio_blocks"] == 0 and whole["out_of_order"] == 0
    assert whole["jitter_ms"] >= 0.0
    assert holed["missing_frames"] == 1 and holed["video_frames"] == 3 * FPS - 1, holed
