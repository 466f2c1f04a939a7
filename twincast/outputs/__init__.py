"""Sinks fed by one encode: RTMP/RTMPS, SRT, HLS, MP4 recording, WebRTC preview."""
