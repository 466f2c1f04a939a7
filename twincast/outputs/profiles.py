"""Platform ingest profiles as data (DESIGN.md "Platforms").

Each says what the platform's ingest accepts and expects; a room picks one
and may override fields. Figures are the platforms' published ingest
recommendations for a talking-head stream: H.264 CBR with a fixed keyframe
interval, AAC-LC 48 kHz stereo."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class PlatformProfile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    url_template: str = Field(description="ingest URL; {server} and {key} are filled from the room file")
    width: int
    height: int
    fps: int
    h264_profile: Literal["baseline", "main", "high"] = "main"
    video_kbps: int
    gop_seconds: float = 2.0
    audio_rate_hz: int = 48000
    audio_kbps: int = 128
    rtmps_required: bool = False

    @property
    def orientation(self) -> str:
        return "portrait" if self.height > self.width else "landscape"


PROFILES: dict[str, PlatformProfile] = {
    p.name: p
    for p in [
        # Douyin and Kuaishou rooms are watched on phones: portrait 1080x1920 (720x1280 for thin uplinks).
        PlatformProfile(name="douyin", url_template="rtmp://{server}/third/{key}", width=1080, height=1920, fps=30, h264_profile="high", video_kbps=4500),
        PlatformProfile(name="kuaishou", url_template="rtmp://{server}/live/{key}", width=1080, height=1920, fps=30, h264_profile="high", video_kbps=4500),
        PlatformProfile(name="bilibili", url_template="rtmp://{server}/live-bvc/{key}", width=1280, height=720, fps=30, h264_profile="high", video_kbps=3000),
        PlatformProfile(name="taobao", url_template="rtmp://{server}/live/{key}", width=720, height=1280, fps=25, h264_profile="main", video_kbps=2500),
        PlatformProfile(name="youtube", url_template="rtmps://{server}/live2/{key}", width=1280, height=720, fps=30, h264_profile="high", video_kbps=4000, rtmps_required=True),
        PlatformProfile(name="twitch", url_template="rtmp://{server}/app/{key}", width=1280, height=720, fps=30, h264_profile="main", video_kbps=3000),
        PlatformProfile(name="custom", url_template="{server}/{key}", width=1280, height=720, fps=25, h264_profile="main", video_kbps=2500),
    ]
}
