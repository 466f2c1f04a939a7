"""Chat sources from the room file. Secrets are never in the file: it names
the environment variables that hold them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

from twincast.chat.source import ChatSource
from twincast.errors import TwincastError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SimulatedChat(_Strict):
    type: Literal["simulated"]
    rate_per_min: float = Field(20.0, gt=0, le=10000)
    seed: int = 0
    script: Path | None = None


class LocalChat(_Strict):
    type: Literal["local"]
    http_port: int = Field(0, ge=0, le=65535)
    ws_port: int = Field(0, ge=0, le=65535)
    token_env: str = "TWINCAST_CHAT_TOKEN"


class BridgeChat(_Strict):
    type: Literal["bridge"]
    port: int = Field(0, ge=0, le=65535)
    token_env: str = "TWINCAST_BRIDGE_TOKEN"


class BilibiliChat(_Strict):
    type: Literal["bilibili"]
    app_id: int
    code: str = Field(description="the streamer's 身份码")
    access_key_id_env: str = "BILIBILI_ACCESS_KEY_ID"
    access_key_secret_env: str = "BILIBILI_ACCESS_KEY_SECRET"


class DouyinChat(_Strict):
    type: Literal["douyin"]
    port: int = Field(0, ge=0, le=65535)
    host: str = "127.0.0.1"
    secret_env: str = "DOUYIN_WEBHOOK_SECRET"


class TwitchChat(_Strict):
    type: Literal["twitch"]
    channel: str
    oauth_token_env: str | None = None  # anonymous (read-only) when absent


class YoutubeChat(_Strict):
    type: Literal["youtube"]
    live_chat_id: str
    api_key_env: str = "YOUTUBE_API_KEY"
    oauth_token_env: str | None = None


ChatConfig = Annotated[Union[SimulatedChat, LocalChat, BridgeChat, BilibiliChat, DouyinChat, TwitchChat, YoutubeChat], Field(discriminator="type")]


def _secret(name: str, what: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise TwincastError(f"{what} needs the environment variable {name}", f"export {name}=... before starting the room (secrets never go in the room file)")
    return value


def build_source(cfg, currency: str = "CNY", langs: tuple[str, ...] = ("zh", "en")) -> ChatSource:  # noqa: ANN001 - ChatConfig
    if cfg.type == "simulated":
        from twincast.chat.simulated import SimulatedAudience

        return SimulatedAudience(script=cfg.script, rate_per_min=cfg.rate_per_min, seed=cfg.seed, currency=currency, langs=langs)
    if cfg.type == "local":
        from twincast.chat.local import LocalSource

        return LocalSource(token=os.environ.get(cfg.token_env) or None, http_port=cfg.http_port, ws_port=cfg.ws_port)
    if cfg.type == "bridge":
        from twincast.chat.bridge import BridgeSource

        return BridgeSource(token=os.environ.get(cfg.token_env) or None, port=cfg.port)
    if cfg.type == "bilibili":
        from twincast.chat.bilibili import BilibiliOpenLiveSource

        return BilibiliOpenLiveSource(cfg.app_id, _secret(cfg.access_key_id_env, "Bilibili chat"), _secret(cfg.access_key_secret_env, "Bilibili chat"), cfg.code)
    if cfg.type == "douyin":
        from twincast.chat.douyin import DouyinWebhookSource

        return DouyinWebhookSource(_secret(cfg.secret_env, "Douyin chat"), host=cfg.host, port=cfg.port)
    if cfg.type == "twitch":
        from twincast.chat.twitch import TwitchIrcSource

        token = _secret(cfg.oauth_token_env, "Twitch chat") if cfg.oauth_token_env else None
        return TwitchIrcSource(cfg.channel, oauth_token=token)
    if cfg.type == "youtube":
        from twincast.chat.youtube import YouTubeLiveChatSource

        return YouTubeLiveChatSource(cfg.live_chat_id, api_key_env=cfg.api_key_env, oauth_token_env=cfg.oauth_token_env)
    raise TwincastError(f"unknown chat source {cfg.type!r}", "use simulated, local, bridge, bilibili, douyin, twitch or youtube")
