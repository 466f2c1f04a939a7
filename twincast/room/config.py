"""The room file (`twincast live room.yaml`), validated with the line and key of every mistake."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from twincast.chat.factory import ChatConfig
from twincast.errors import TwincastError
from twincast.outputs.profiles import PROFILES, PlatformProfile
from twincast.yaml_lines import line_of


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _starting_with(url: str, *schemes: str) -> str:
    if not url.startswith(schemes):
        raise ValueError(f"must start with {' or '.join(schemes)}")
    return url


class RtmpOutput(_Strict):
    type: Literal["rtmp"]
    url: str = Field(description="rtmp://… or rtmps://…; or give server + key with a platform profile")

    @field_validator("url")
    @classmethod
    def _scheme(cls, v: str) -> str:
        return _starting_with(v, "rtmp://", "rtmps://")


class SrtOutput(_Strict):
    type: Literal["srt"]
    url: str

    @field_validator("url")
    @classmethod
    def _scheme(cls, v: str) -> str:
        return _starting_with(v, "srt://")


class HlsOutput(_Strict):
    type: Literal["hls"]
    folder: Path


class RecordOutput(_Strict):
    type: Literal["record"]
    folder: Path
    rotate_minutes: float = Field(60, gt=0, le=24 * 60)


class PreviewOutput(_Strict):
    """Served on the control API (POST /whep), on 127.0.0.1 with its token."""

    type: Literal["webrtc"]


Output = Annotated[Union[RtmpOutput, SrtOutput, HlsOutput, RecordOutput, PreviewOutput], Field(discriminator="type")]


class VideoOverride(_Strict):
    width: int | None = Field(None, ge=160, le=3840)
    height: int | None = Field(None, ge=160, le=3840)
    fps: int | None = Field(None, ge=10, le=60)
    video_kbps: int | None = Field(None, ge=200, le=20000)
    h264_profile: Literal["baseline", "main", "high"] | None = None


class ControlConfig(_Strict):
    port: int = Field(8765, ge=0, le=65535)
    token_env: str = "TWINCAST_TOKEN"


class LlmConfig(_Strict):
    """An optional OpenAI-compatible server that rewords run-of-show lines (never trusted: checked like a template)."""
    url: str = Field(description="e.g. http://gpu-box:8000 (the /v1/chat/completions path is added)")
    model: str = "default"
    key_env: str | None = Field(None, description="environment variable holding the API key")
    timeout_s: float = Field(3.0, gt=0, le=30)

    @field_validator("url")
    @classmethod
    def _scheme(cls, v: str) -> str:
        return _starting_with(v, "http://", "https://")


class RoomConfig(_Strict):
    clone: Path
    language: Literal["zh", "en"] = "zh"
    profile: str = "custom"
    video: VideoOverride = VideoOverride()
    script: Path | list[str] = Field(default_factory=list, description="a text file (one line each) or a list of lines")
    loop_script: bool = True
    disclosure: Literal["spoken", "tone"] = "spoken"
    engine: str | None = None
    outputs: list[Output] = Field(default_factory=list)
    control: ControlConfig = ControlConfig()
    # Live commerce: with a catalogue, the run-of-show director writes the script and answers chat.
    catalog: Path | None = None
    pinned_sku: str | None = None
    schedule: list[tuple[float, str]] = Field(default_factory=list, description="[[seconds from start, SKU], ...]: switch the product on show at these times")
    segment_seconds: float = Field(90.0, ge=10, le=3600)
    chat: list[ChatConfig] = Field(default_factory=list)
    llm: LlmConfig | None = None
    audit: Path | None = Field(None, description="folder for the audit log of every line spoken (default: beside the room file)")

    @field_validator("profile")
    @classmethod
    def _known_profile(cls, v: str) -> str:
        if v not in PROFILES:
            raise ValueError(f"unknown platform profile; use one of {', '.join(PROFILES)}")
        return v

    @model_validator(mode="after")
    def _llm_needs_a_catalog(self) -> "RoomConfig":
        if self.llm is not None and self.catalog is None:
            raise ValueError("llm: rewords the run-of-show, which needs a catalog: (add one, or remove llm:)")
        return self

    def platform(self) -> PlatformProfile:
        overrides = {k: v for k, v in self.video.model_dump().items() if v is not None}
        p = PROFILES[self.profile].model_copy(update=overrides)
        return p.model_copy(update={"width": p.width - p.width % 2, "height": p.height - p.height % 2})

    def script_lines(self, base: Path) -> list[str]:
        if isinstance(self.script, list):
            return [s.strip() for s in self.script if s.strip()]
        path = self.script if self.script.is_absolute() else base / self.script
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise TwincastError(f"script {path}: cannot read it as UTF-8 text ({exc})", "fix the script: path in the room file") from None
        return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def load_room(path: Path) -> RoomConfig:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TwincastError(f"{path}: cannot read the room file ({exc})", "give a UTF-8 YAML file") from None
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise TwincastError(f"{path.name}{where}: not valid YAML ({getattr(exc, 'problem', exc)})", "fix the syntax (indentation, colons, quotes)") from None
    if not isinstance(data, dict):
        raise TwincastError(f"{path.name}: a room file is a mapping of keys (clone:, outputs: …)", "see docs/ARCHITECTURE.md for an example room file")
    try:
        room = RoomConfig.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        tags = ("rtmp", "srt", "hls", "record", "webrtc", "simulated", "local", "bridge", "bilibili", "douyin", "twitch", "youtube")
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p in tags)]
        key = ".".join(str(p) for p in loc) or "(top level)"
        line = line_of(root, loc)
        more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
        raise TwincastError(f"{path.name} line {line}: {key}: {err['msg']}{more}", "fix that key; unknown keys are refused so typos do not pass silently") from None
    for key in ("clone", "catalog", "audit"):
        value = getattr(room, key)
        if value is not None and not value.is_absolute():
            setattr(room, key, path.parent / value)
    if room.audit is None:
        room.audit = path.parent / "audit"
    return room

