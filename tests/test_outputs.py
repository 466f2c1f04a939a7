"""Outputs against real servers on 127.0.0.1: nginx-rtmp (RTMP and RTMPS), an ffmpeg SRT listener,
HLS and rotating MP4 recordings. One encode feeds them all; a dead server is survived."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from pathlib import Path

import av
import numpy as np
import pytest

from twincast.outputs.encoder import AvEncoder
from twincast.outputs.hls_sink import HlsSink
from twincast.outputs.profiles import PROFILES
from twincast.outputs.recording_sink import RecordingSink
from twincast.outputs.srt_sink import SrtSink
from twincast.outputs.stream_sink import RtmpSink, redact
from twincast.testing.nginx_rtmp import NginxRtmp, available, free_port
from twincast.trust.label import Label

pytestmark = pytest.mark.skipif(available() is not None, reason=str(available()))

W, H, FPS, RATE = 320, 240, 25, 48000
SPF = RATE // FPS
FLASH = 150  # the frame that is white and carries a beep (6 s: after the reader has started)


def profile():
    return PROFILES["custom"].model_copy(update={"width": W, "height": H, "fps": FPS, "video_kbps": 600, "h264_profile": "main"})


def publish(encoder: AvEncoder, sinks, seconds: float, label: Label, realtime: bool = True, on_frame=None) -> None:
    t0 = time.monotonic()
    for n in range(int(seconds * FPS)):
        img = np.full((H, W, 3), 255 if n == FLASH else 40, np.uint8)
        audio = np.zeros(SPF, np.float32)
        if n == FLASH:
            audio[:] = 0.5 * np.sin(np.arange(SPF) * 2 * np.pi * 1000 / RATE)
        packets = encoder.encode_video(label.stamp(img), n) + encoder.encode_audio(audio)
        for s in sinks:
            for p in packets:
                s.offer(p)
        if on_frame:
            on_frame(n)
        if realtime:
            time.sleep(max(0.0, t0 + (n + 1) / FPS - time.monotonic()))


def read_stream(url: str, seconds: float, out: dict) -> None:
    """Read a live stream back with PyAV: codec facts, keyframe times, flash and beep times."""
    try:
        with av.open(url, options={"analyzeduration": "5000000", "probesize": "5000000", "rw_timeout": "8000000"}, timeout=10) as c:
            v, a = c.streams.video[0], c.streams.audio[0]
            out.update(codec=v.codec_context.name, profile=v.codec_context.profile, size=(v.codec_context.width, v.codec_context.height), fps=float(v.average_rate or v.guessed_rate), audio_rate=a.codec_context.sample_rate)
            keys, flash, beep, t_end = [], None, None, None
            for packet in c.demux(v, a):
                if packet.dts is None:
                    continue
                t = float(packet.pts * packet.time_base)
                t_end = t_end or t + seconds
                if packet.stream is v and packet.is_keyframe:
                    keys.append(t)
                for frame in packet.decode():
                    ft = float(frame.pts * frame.time_base)
                    if packet.stream is v and flash is None and frame.to_ndarray(format="gray")[H // 2, W // 2] > 200:
                        flash = ft
                        out["frame"] = frame.to_ndarray(format="rgb24")
                    if packet.stream is a and beep is None:
                        pcm = frame.to_ndarray()
                        loud = np.flatnonzero(np.abs(pcm[0]) > 0.2)
                        if loud.size:
                            beep = ft + loud[0] / frame.sample_rate
                if t > t_end:
                    break
            out.update(keys=keys, flash=flash, beep=beep)
    except Exception as exc:  # noqa: BLE001 - reported to the test
        out["error"] = repr(exc)


@pytest.fixture()
def nginx(tmp_path):
    with NginxRtmp(tmp_path / "nginx") as server:
        yield server


def test_rtmp_stream_reads_back_with_the_profile_keyframes_sync_and_label(nginx, tmp_path):
    enc = AvEncoder(profile())
    label = Label(W, H, "zh")
    sinks = [RtmpSink("rtmp", nginx.rtmp_url("room1"), enc), RtmpSink("rtmps", nginx.rtmps_url("room2"), enc)]
    for s in sinks:
        s.start()
    got: dict = {}
    reader = None

    def start_reader(n: int) -> None:
        nonlocal reader
        if n == 5:
            reader = threading.Thread(target=read_stream, args=(nginx.rtmp_url("room1"), 7.0, got))
            reader.start()

    publish(enc, sinks, 12.0, label, on_frame=start_reader)
    reader.join(20)
    for s in sinks:
        s.close()
    assert "error" not in got, got.get("error")
    assert got["codec"] == "h264" and got["profile"] == "Main" and got["size"] == (W, H) and round(got["fps"]) == FPS
    assert got["audio_rate"] == RATE
    gaps = np.diff(got["keys"])
    assert len(gaps) >= 2 and np.allclose(gaps, 2.0, atol=0.05)  # GOP = 2 s, fixed
    assert got["flash"] is not None and got["beep"] is not None
    assert abs(got["flash"] - got["beep"]) <= 1.0 / FPS  # A/V in sync within a frame
    reference = label.stamp(np.full((H, W, 3), 255, np.uint8))
    y0, y1, x0, x1 = label.y0, label.y1, label.x0, label.x1
    assert np.abs(got["frame"][y0:y1, x0:x1].astype(int) - reference[y0:y1, x0:x1]).mean() < 20  # the AI label survived encoding
    assert all(s.health.connects == 1 and s.health.failures == 0 for s in sinks)


def test_a_killed_server_is_survived_and_reconnected(nginx, tmp_path):
    enc = AvEncoder(profile())
    label = Label(W, H, "en")
    sink = RtmpSink("rtmp", nginx.rtmp_url("k"), enc)
    sink.backoff_max_s = 1.0  # retry every second at most, so the test sees the comeback quickly
    hls = HlsSink("hls", tmp_path / "hls", enc)
    for s in (sink, hls):
        s.start()

    def chaos(n: int) -> None:
        if n == 50:
            nginx.stop()
        if n == 100:
            assert sink.health.state == "reconnecting" and sink.health.last_error
            nginx.start()

    publish(enc, [sink, hls], 9.0, label, on_frame=chaos)
    assert sink.health.state == "up" and sink.health.connects >= 2 and sink.health.failures >= 1
    assert hls.health.failures == 0  # the other output never noticed
    sink.close()
    hls.close()
    assert (tmp_path / "hls" / "index.m3u8").exists()


def test_an_unreachable_output_does_not_hold_the_room_up(tmp_path):
    enc = AvEncoder(profile())
    dead = RtmpSink("dead", f"rtmp://127.0.0.1:{free_port()}/live/key", enc)
    dead.start()
    t0 = time.monotonic()
    publish(enc, [dead], 8.0, Label(W, H, "en"), realtime=False)
    assert time.monotonic() - t0 < 8.0  # offering never blocks
    time.sleep(0.3)
    assert dead.health.state == "reconnecting" and dead.health.failures >= 1 and dead.health.dropped > 0
    assert "key" not in dead.health.target  # the stream key is a secret
    dead.close()


def test_a_refused_publish_shows_in_health(nginx):
    """The server refuses this stream (as an ingest does with a wrong or expired key): the sink
    reports it and keeps retrying with backoff, and the good output beside it is unaffected."""
    enc = AvEncoder(profile())
    good = RtmpSink("good", nginx.rtmp_url("good"), enc)
    refused = RtmpSink("refused", nginx.rtmp_url("k").replace("/live/", "/no-such-app/"), enc)
    for s in (good, refused):
        s.start()
    publish(enc, [good, refused], 4.0, Label(W, H, "en"))
    assert good.health.state == "up" and good.health.failures == 0
    assert refused.health.state == "reconnecting" and refused.health.failures >= 1 and refused.health.last_error
    for s in (good, refused):
        s.close()


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")
def test_srt_reaches_an_ffmpeg_listener(tmp_path):
    port = free_port()
    out = tmp_path / "got.ts"
    listener = subprocess.Popen(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", f"srt://127.0.0.1:{port}?mode=listener", "-c", "copy", "-t", "3", str(out)])
    time.sleep(0.5)
    enc = AvEncoder(profile())
    sink = SrtSink("srt", f"srt://127.0.0.1:{port}", enc)
    sink.start()
    publish(enc, [sink], 5.0, Label(W, H, "en"))
    sink.close()
    listener.wait(15)
    with av.open(str(out)) as c:
        assert c.streams.video[0].codec_context.name == "h264" and c.streams.audio[0].codec_context.sample_rate == RATE


def test_recordings_rotate_and_every_file_is_whole_and_labelled(tmp_path):
    enc = AvEncoder(profile())
    names = iter(f"part{i}" for i in range(100))
    rec = RecordingSink("rec", tmp_path / "rec", enc, lambda: next(names), rotate_seconds=3)
    rec.start()
    publish(enc, [rec], 10.0, Label(W, H, "en"), realtime=False)
    for p in enc.flush():
        rec.offer(p)
    rec.close()
    files = sorted((tmp_path / "rec").iterdir())
    assert [f.suffix for f in files] == [".mp4"] * 3  # 0-4 s, 4-8 s, 8-10 s (cuts on 2 s keyframes), no .part left
    total = 0.0
    ids = set()
    for f in files:
        with av.open(str(f)) as c:
            total += float(c.duration) / 1e6
            ids.add(c.metadata.get("AIGC"))
    assert abs(total - 10.0) < 0.2 and len(ids) == 3  # nothing lost at the cuts; a ProduceID per file


def test_redact_hides_the_stream_key():
    assert redact("rtmp://live.example.com/app/sk_live_123") == "rtmp://live.example.com/app/****"
    assert redact("rtmps://a.example.com:443/live2/x/y") == "rtmps://a.example.com:443/live2/x/****"
    assert redact("srt://ingest.example.com:9000?streamid=#!::r=live/key,m=publish") == "srt://ingest.example.com:9000?****"
