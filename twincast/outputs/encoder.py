"""One H.264 + AAC encode per room, fanned out to every sink.

The encoder streams live in a "null" container: it is only there to own the
codec contexts and give sinks a template (codec parameters with the global
header, i.e. SPS/PPS and AudioSpecificConfig, which FLV and MP4 need). Video
pts count frames, audio pts count samples."""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np

from twincast.media.yuv import yuv420p_frame
from twincast.outputs.packets import EncodedPacket
from twincast.outputs.profiles import PlatformProfile

AUDIO_BLOCK = 1024  # AAC frame size
# x264's fastest search with the parts that keep the picture: CABAC, the deblocking filter and adaptive
# quantisation. Against "superfast" at the platforms' bitrates, on the shared clips: 1080x1920 at 4 Mbit/s
# 18 ms of CPU a frame instead of 25, 720p at 2.5 Mbit/s 7-8 instead of 8.5-11, Y-PSNR 0.2-1.0 dB lower
# and still 44-48 dB; plain "ultrafast" (no CABAC, no deblocking) loses 1.5-2 dB (docs/BENCHMARKS.md).
PRESET = "ultrafast"
PICTURE_TOOLS = "cabac=1:deblock=0,0:aq-mode=1"
# ffmpeg's default AAC coder (two-loop search) costs twice the CPU of its fast one for the same
# 128 kbit/s speech: 51 against 24 ms a second of audio.
AAC_OPTIONS = {"aac_coder": "fast"}


class AvEncoder:
    def __init__(self, profile: PlatformProfile, preset: str = PRESET, threads: int | None = None) -> None:
        if threads is None:  # a 1080p room needs both cores for x264 (sliced threads: no added latency)
            threads = 2 if profile.width * profile.height >= 1600 * 900 else 1
        self.profile = profile
        self.gop = max(1, round(profile.gop_seconds * profile.fps))
        self._null = av.open("/dev/null", "w", format="null")
        kbps = profile.video_kbps
        options = {
            "preset": preset,
            "tune": "zerolatency",
            "profile": profile.h264_profile,
            "g": str(self.gop),
            "keyint_min": str(self.gop),
            "sc_threshold": "0",
            "threads": str(threads),
            # CBR as ingest servers expect: bitrate = maxrate, a one-second buffer.
            "x264-params": f"nal-hrd=cbr:force-cfr=1:vbv-maxrate={kbps}:vbv-bufsize={kbps}:{PICTURE_TOOLS}",
        }
        self.video = self._null.add_stream("libx264", rate=profile.fps, options=options)
        self.video.width, self.video.height, self.video.pix_fmt = profile.width, profile.height, "yuv420p"
        self.video.bit_rate = kbps * 1000
        self.video.time_base = Fraction(1, profile.fps)
        self.video.codec_context.flags |= av.codec.context.Flags.global_header
        self.audio = self._null.add_stream("aac", rate=profile.audio_rate_hz, layout="stereo", options=AAC_OPTIONS)
        self.audio.bit_rate = profile.audio_kbps * 1000
        self.audio.codec_context.flags |= av.codec.context.Flags.global_header
        self._null.start_encoding()  # opens the codecs: the templates now carry extradata
        self._pending = np.zeros(0, np.int16)
        self._audio_pts = 0

    def encode_video(self, picture: np.ndarray, index: int) -> list[EncodedPacket]:
        """An rgb24 or I420 frame (media/yuv.py)."""
        frame = yuv420p_frame(picture)
        frame.pts = index
        frame.time_base = self.video.time_base
        return [self._detach("video", p) for p in self.video.encode(frame)]

    def encode_audio(self, mono: np.ndarray) -> list[EncodedPacket]:
        """Float mono in [-1, 1] at the profile's rate; encoded in whole AAC frames."""
        pcm = np.concatenate([self._pending, (np.clip(mono, -1, 1) * 32767).astype(np.int16)])
        whole = len(pcm) - len(pcm) % AUDIO_BLOCK
        self._pending = pcm[whole:]
        out: list[EncodedPacket] = []
        for start in range(0, whole, AUDIO_BLOCK):
            block = pcm[start : start + AUDIO_BLOCK]
            stereo = np.repeat(block[None, :], 2, axis=0).reshape(1, -1, order="F")
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(stereo), format="s16", layout="stereo")
            frame.sample_rate = self.profile.audio_rate_hz
            frame.pts = self._audio_pts
            frame.time_base = Fraction(1, self.profile.audio_rate_hz)
            self._audio_pts += AUDIO_BLOCK
            out += [self._detach("audio", p) for p in self.audio.encode(frame)]
        return out

    def flush(self) -> list[EncodedPacket]:
        return [self._detach("video", p) for p in self.video.encode()] + [self._detach("audio", p) for p in self.audio.encode()]

    def close(self) -> None:
        self._null.close()

    @staticmethod
    def _detach(kind: str, p: av.Packet) -> EncodedPacket:
        return EncodedPacket(kind, bytes(p), int(p.pts), int(p.dts), p.time_base, bool(p.is_keyframe))
