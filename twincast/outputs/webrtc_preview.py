"""Low-latency browser preview over WebRTC, WHEP-style (POST an SDP offer, get the answer).

Video is the room's own H.264 packets, packetised by aiortc without a second
encode (the parameter sets are put in front of every keyframe, since the
encoder keeps them out of band for FLV/MP4). Audio is the room's PCM, which
aiortc encodes to Opus (AAC is not a WebRTC codec). Every viewer has bounded
queues: a slow viewer loses frames (video resumes at the next keyframe), never
the room. No STUN/TURN servers are configured: the preview is for the operator
on this machine or its LAN."""

from __future__ import annotations

import asyncio
import fractions
import logging
import uuid

import av
import numpy as np
from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.rtcrtpsender import RTCRtpSender

from twincast.outputs.encoder import AvEncoder
from twincast.outputs.packets import EncodedPacket

log = logging.getLogger(__name__)

QUEUE_S = 2.0
AUDIO_FRAME = 960  # 20 ms at 48 kHz, Opus's frame


class _QueueTrack(MediaStreamTrack):
    def __init__(self, kind: str, maxsize: int) -> None:
        super().__init__()
        self.kind = kind
        self.queue: asyncio.Queue = asyncio.Queue(maxsize)
        self.waiting_for_key = kind == "video"
        self.dropped = 0

    async def recv(self):  # noqa: ANN201 - av.Packet | av.AudioFrame
        return await self.queue.get()

    def put(self, item, keyframe: bool = True) -> None:  # noqa: ANN001
        if self.waiting_for_key and not keyframe:
            self.dropped += 1
            return
        self.waiting_for_key = False
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            self.dropped += 1
            if self.kind == "video":
                self.waiting_for_key = True  # a gap in H.264 breaks decoding until the next keyframe


class WebRtcPreview:
    def __init__(self, encoder: AvEncoder) -> None:
        self.encoder = encoder
        self.fps = encoder.profile.fps
        self.rate = encoder.profile.audio_rate_hz
        self.parameter_sets = bytes(encoder.video.codec_context.extradata or b"")
        self.loop: asyncio.AbstractEventLoop | None = None
        self.peers: dict[str, tuple[RTCPeerConnection, _QueueTrack, _QueueTrack]] = {}
        self._audio_pending = np.zeros(0, np.int16)
        self._audio_pts = 0

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop

    # --- media thread --------------------------------------------------------------------------

    def offer(self, packets: list[EncodedPacket], audio: np.ndarray) -> None:
        if self.loop is None or not self.peers:
            return
        video = [p for p in packets if p.kind == "video"]
        pcm = np.concatenate([self._audio_pending, (np.clip(audio, -1, 1) * 32767).astype(np.int16)])
        whole = len(pcm) - len(pcm) % AUDIO_FRAME
        self._audio_pending = pcm[whole:]
        frames = []
        for start in range(0, whole, AUDIO_FRAME):
            frame = av.AudioFrame.from_ndarray(pcm[None, start : start + AUDIO_FRAME], format="s16", layout="mono")
            frame.sample_rate = self.rate
            frame.pts = self._audio_pts
            frame.time_base = fractions.Fraction(1, self.rate)
            self._audio_pts += AUDIO_FRAME
            frames.append(frame)
        self.loop.call_soon_threadsafe(self._dispatch, video, frames)

    # --- event loop ----------------------------------------------------------------------------

    def _dispatch(self, video: list[EncodedPacket], frames: list) -> None:  # noqa: ANN001
        for _, vtrack, atrack in list(self.peers.values()):
            for p in video:
                data = self.parameter_sets + p.data if p.keyframe else p.data
                packet = av.Packet(data)
                packet.pts, packet.dts, packet.time_base = p.pts, p.dts, p.time_base
                vtrack.put(packet, p.keyframe)
            for f in frames:
                atrack.put(f)

    async def answer(self, offer_sdp: str) -> tuple[str, str]:
        """(viewer id, answer SDP) for a WHEP offer."""
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        vtrack = _QueueTrack("video", int(QUEUE_S * self.fps))
        atrack = _QueueTrack("audio", int(QUEUE_S * self.rate / AUDIO_FRAME))
        viewer = uuid.uuid4().hex[:12]

        @pc.on("connectionstatechange")
        async def _state() -> None:
            if pc.connectionState in ("failed", "closed"):
                await self.close(viewer)

        # Transceivers made before the offer is applied take its m-lines, and
        # only then do codec preferences steer the negotiation to H.264.
        h264 = [c for c in RTCRtpSender.getCapabilities("video").codecs if c.mimeType.lower() in ("video/h264", "video/rtx")]
        video = pc.addTransceiver(vtrack, direction="sendonly")
        video.setCodecPreferences(h264)  # our packets are H.264: no second encode
        pc.addTransceiver(atrack, direction="sendonly")
        try:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
        except Exception as exc:  # noqa: BLE001 - aiortc raises several kinds for a bad offer
            await pc.close()
            raise ValueError(str(exc) or type(exc).__name__) from None
        await pc.setLocalDescription(await pc.createAnswer())
        self.peers[viewer] = (pc, vtrack, atrack)
        return viewer, pc.localDescription.sdp

    async def close(self, viewer: str) -> bool:
        entry = self.peers.pop(viewer, None)
        if entry is None:
            return False
        await entry[0].close()
        return True

    async def close_all(self) -> None:
        for viewer in list(self.peers):
            await self.close(viewer)

    def health(self) -> dict:
        return {"name": "webrtc-preview", "target": "WHEP /whep", "state": "up", "viewers": len(self.peers), "dropped": sum(v.dropped + a.dropped for _, v, a in self.peers.values())}
