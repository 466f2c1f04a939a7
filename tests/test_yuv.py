"""RGB to yuv420p by OpenCV (media/yuv.py) gives the planes swscale would, so pictures keep their colours."""

from __future__ import annotations

import numpy as np
from skimage.data import astronaut

from twincast.media.yuv import yuv420p_frame


def test_opencv_planes_match_the_encoders_own_conversion():
    import av

    rgb = np.ascontiguousarray(astronaut()[:480, :510])
    ours = yuv420p_frame(rgb)
    assert ours.format.name == "yuv420p" and (ours.width, ours.height) == (510, 480)
    theirs = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
    diff = np.abs(ours.to_ndarray().astype(int) - theirs.to_ndarray().astype(int))
    assert diff[:480].max() <= 1  # luma: the same BT.601 limited-range matrix
    assert diff[480:].mean() < 1.5  # chroma: a different 2x2 filter, visible only at sharp colour edges
    # back to RGB, each is as close to the picture as the other
    err = [np.abs(f.to_ndarray(format="rgb24").astype(int) - rgb.astype(int)).mean() for f in (ours, theirs)]
    assert err[0] < 3 and abs(err[0] - err[1]) < 0.5


def test_odd_sizes_are_left_to_swscale():
    frame = yuv420p_frame(np.zeros((101, 64, 3), np.uint8))
    assert frame.format.name == "rgb24" and frame.height == 101
