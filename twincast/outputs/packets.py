"""An encoded packet, detached from the encoder so any sink thread can mux it."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class EncodedPacket:
    kind: str  # "video" | "audio"
    data: bytes
    pts: int
    dts: int
    time_base: Fraction
    keyframe: bool

    @property
    def seconds(self) -> float:
        return float(self.dts * self.time_base)
