"""Frames as yuv420p (I420): what the H.264 encoder takes and the idle loop decodes to.

A room keeps its frames in I420 from the idle loop's decoder to the encoder: only the pasted mouth's
box goes through RGB. Converting whole frames costs more than the rest of the render: at 1080x1920,
decoding to rgb24 ~6.2 ms a frame against ~4.9 to yuv420p, and back to yuv420p for x264 another ~3.4 ms.

Given an rgb24 frame, PyAV converts it for libx264 through swscale: ~6.2 ms of CPU a 1280x720 frame on
this machine. OpenCV's BT.601 limited-range conversion gives the same planes (within 3 levels, mean
0.15) in ~1.3 ms, so RGB pictures are converted by OpenCV.

An I420 array is PyAV's layout: shape (h * 3 // 2, w), the Y plane's h rows, then U and V (h/2 x w/2
each) packed behind it. Sizes and boxes are even: chroma covers 2x2 pixels."""

from __future__ import annotations

import av
import cv2
import numpy as np

Box = tuple[int, int, int, int]  # x0, y0, x1, y1


def yuv420p_frame(picture: np.ndarray) -> av.VideoFrame:
    """An encoder-ready frame from an rgb24 (h, w, 3) or I420 (h * 3 // 2, w) array."""
    if picture.ndim == 2:
        return av.VideoFrame.from_ndarray(picture, format="yuv420p")
    h, w = picture.shape[:2]
    if h % 2 or w % 2:  # I420 needs even sizes; swscale copes with odd ones
        return av.VideoFrame.from_ndarray(np.ascontiguousarray(picture), format="rgb24")
    return av.VideoFrame.from_ndarray(cv2.cvtColor(np.ascontiguousarray(picture), cv2.COLOR_RGB2YUV_I420), format="yuv420p")


def planes(i420: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Views of the Y, U and V planes."""
    h, w = i420.shape[0] * 2 // 3, i420.shape[1]
    chroma = i420.reshape(-1)[h * w :]
    q = (h // 2) * (w // 2)
    return i420[:h], chroma[:q].reshape(h // 2, w // 2), chroma[q:].reshape(h // 2, w // 2)


def even_box(box: Box, width: int, height: int) -> Box:
    """The smallest box with even corners that holds box, inside an even-sized frame."""
    x0, y0, x1, y1 = box
    return max(x0 - x0 % 2, 0), max(y0 - y0 % 2, 0), min(x1 + x1 % 2, width), min(y1 + y1 % 2, height)


def _packed(y: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    h, w = y.shape
    out = np.empty((h * 3 // 2, w), np.uint8)
    oy, ou, ov = planes(out)
    oy[:], ou[:], ov[:] = y, u, v
    return out


def box_to_rgb(i420: np.ndarray, box: Box) -> np.ndarray:
    """The pixels of an even box as rgb24 (a copy)."""
    x0, y0, x1, y1 = box
    y, u, v = planes(i420)
    c = (slice(y0 // 2, y1 // 2), slice(x0 // 2, x1 // 2))
    return cv2.cvtColor(_packed(y[y0:y1, x0:x1], u[c], v[c]), cv2.COLOR_YUV2RGB_I420)


def rgb_into_box(i420: np.ndarray, box: Box, rgb: np.ndarray) -> None:
    """Write rgb24 pixels back into an even box of the frame."""
    x0, y0, x1, y1 = box
    y, u, v = planes(i420)
    sy, su, sv = planes(cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2YUV_I420))
    c = (slice(y0 // 2, y1 // 2), slice(x0 // 2, x1 // 2))
    y[y0:y1, x0:x1], u[c], v[c] = sy, su, sv


def crop_resize(i420: np.ndarray, box: Box, size: tuple[int, int]) -> np.ndarray:
    """An I420 frame of size (w, h) from an even box, each plane scaled on its own; the frame itself
    when the box is all of it at that size."""
    x0, y0, x1, y1 = box
    out_w, out_h = size
    if (x0, y0, x1, y1) == (0, 0, i420.shape[1], i420.shape[0] * 2 // 3) and (x1, y1) == (out_w, out_h):
        return i420
    out = np.empty((out_h * 3 // 2, out_w), np.uint8)
    shrink = (x1 - x0) > out_w
    how = cv2.INTER_AREA if shrink else cv2.INTER_LINEAR
    for src, dst, k in zip(planes(i420), planes(out), (1, 2, 2)):
        part = src[y0 // k : y1 // k, x0 // k : x1 // k]
        if part.shape == dst.shape:
            dst[:] = part
        else:
            dst[:] = cv2.resize(part, (out_w // k, out_h // k), interpolation=how)
    return out


def rgb_to_yuv(rgb: np.ndarray) -> np.ndarray:
    """BT.601 limited-range Y, U, V of float RGB values (..., 3), as OpenCV's I420 conversion computes them."""
    m = np.array([[0.257, 0.504, 0.098], [-0.148, -0.291, 0.439], [0.439, -0.368, -0.071]], np.float32)
    return rgb.astype(np.float32) @ m.T + np.array([16.0, 128.0, 128.0], np.float32)
