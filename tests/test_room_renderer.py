"""A room's frames stay in I420 from the idle loop's decoder to the encoder; they must show what
rendering in RGB shows: the same mouth pasted at the same place, the same crop, the label."""

from __future__ import annotations

import cv2
import numpy as np

from twincast.clone.base_loop import BaseLoopReader
from twincast.clone.clone import load_clone
from twincast.lipsync.compositor import composite
from twincast.media.yuv import planes
from twincast.room.renderer import RoomRenderer


def _rgb_render(clone, reader, renderer, mouth):  # noqa: ANN001, ANN202 - the RGB path, as rooms drew before
    frame, points = reader.next()
    if mouth is not None:
        composite(frame, points, clone.library.crop(mouth), clone.library.landmarks[mouth])
    x0, y0, x1, y1 = renderer.box
    frame = np.ascontiguousarray(frame[y0:y1, x0:x1])
    w, h = renderer.size
    if frame.shape[:2] != (h, w):
        frame = cv2.resize(frame, (w, h), interpolation=cv2.INTER_AREA if frame.shape[1] > w else cv2.INTER_LINEAR)
    return cv2.cvtColor(renderer.label.stamp(renderer.overlay.stamp(frame)), cv2.COLOR_RGB2YUV_I420)


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(((a.astype(float) - b.astype(float)) ** 2).mean())
    return 10 * np.log10(255**2 / max(mse, 1e-9))


def test_i420_frames_show_what_rgb_rendering_shows(clone_dir):
    clone = load_clone(clone_dir)
    for size in [(320, 180), (270, 480), (512, 512)]:  # shrunk landscape, portrait crop, as it is
        renderer = RoomRenderer(clone, *size, "zh")
        renderer.overlay.text = "满100减20  01:30"
        idle = RoomRenderer(clone, *size, "zh")  # the same loop frames with nothing pasted
        idle.overlay.text = renderer.overlay.text
        reader = BaseLoopReader(clone.base_path, clone.base_landmarks)
        mouths = [None, 5, len(clone.library) // 2, len(clone.library) - 1, None]
        for mouth in mouths:
            ours, unpasted = renderer.frame(mouth), idle.frame(None)
            theirs = _rgb_render(clone, reader, renderer, mouth)
            assert ours.shape == (size[1] * 3 // 2, size[0])
            y, y_rgb, y_idle = planes(ours)[0], planes(theirs)[0], planes(unpasted)[0]
            assert _psnr(y, y_rgb) > 40, (size, mouth)
            if mouth is not None:  # a mouth went in, where the RGB render put it
                moved, moved_rgb = np.abs(y.astype(int) - y_idle) > 10, np.abs(y_rgb.astype(int) - y_idle) > 10
                assert moved.sum() > 20 and (moved & moved_rgb).sum() > 0.8 * max(moved.sum(), moved_rgb.sum())
            else:
                assert (y == y_idle).all()


def test_the_crop_is_on_even_pixels(clone_dir):
    clone = load_clone(clone_dir)
    for size in [(1280, 720), (1080, 1920), (720, 1280)]:
        box = RoomRenderer(clone, *size, "en").box
        assert all(v % 2 == 0 for v in box) and box[2] <= clone.width and box[3] <= clone.height


def test_after_the_loops_first_pass_a_room_decodes_only_its_box(clone_dir):
    from twincast.room.loop_crop import CroppedLoop

    clone = load_clone(clone_dir)
    assert isinstance(RoomRenderer(clone, 512, 512, "zh").base, BaseLoopReader)  # all of the frame: no copy
    renderer = RoomRenderer(clone, 320, 180, "zh")
    assert isinstance(renderer.base, CroppedLoop)
    n = len(clone.base_landmarks)
    mouths = [None if i % 3 else i % len(clone.library) for i in range(n)]
    first = [renderer.frame(m) for m in mouths]  # from base.mp4, the box copied on the way
    second = [renderer.frame(m) for m in mouths]  # from the copy
    assert not renderer.base.failed and renderer.base.reader.index == n - 1  # base.mp4 was read once
    psnr = [_psnr(planes(a)[0], planes(b)[0]) for a, b in zip(first, second)]
    assert min(psnr) > 45, min(psnr)  # the same frames, in the same order, with the same mouths
    assert _psnr(planes(first[0])[0], planes(second[n // 2])[0]) < min(psnr)  # not any frame of the loop
