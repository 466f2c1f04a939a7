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


def _i420(rgb: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2YUV_I420)


def test_planes_are_views_of_the_packed_frame():
    from twincast.media.yuv import planes

    frame = _i420(astronaut()[:480, :510])
    y, u, v = planes(frame)
    assert y.shape == (480, 510) and u.shape == v.shape == (240, 255)
    u[:] = 7
    assert (frame.reshape(-1)[480 * 510 : 480 * 510 + 240 * 255] == 7).all()  # U sits right behind Y
    assert not (v == 7).all()


def test_the_label_on_an_i420_frame_is_the_label_on_rgb():
    """Blending the label's Y, U and V gives what blending in RGB and converting gives, at an odd
    margin too (chroma blocks straddle the label's edge)."""
    from twincast.media.yuv import planes
    from twincast.trust.label import Label

    import cv2

    rgb = cv2.resize(astronaut(), (560, 540))
    label = Label(560, 540, "en")
    assert label.x0 % 2 == 1  # the margin, a 40th of the short side, is odd here
    via_rgb = _i420(label.stamp(rgb.copy()))
    via_i420 = label.stamp_i420(_i420(rgb))
    for ours, theirs in zip(planes(via_i420), planes(via_rgb)):
        diff = np.abs(ours.astype(int) - theirs.astype(int))
        assert diff.mean() < 0.2
    luma = np.abs(planes(via_i420)[0].astype(int) - planes(via_rgb)[0].astype(int))
    assert luma.max() <= 2
    untouched = _i420(rgb)
    y, y0 = planes(via_i420)[0], planes(untouched)[0]
    assert (y[label.y1 + 1 :] == y0[label.y1 + 1 :]).all()  # nothing outside the label changes


def test_crop_and_resize_per_plane_matches_doing_it_in_rgb():
    import cv2

    from twincast.media.yuv import crop_resize, planes

    rgb = np.ascontiguousarray(astronaut())  # 512 x 512
    box = (40, 100, 40 + 384, 100 + 216)
    for size in [(1280, 720), (320, 180)]:
        ours = crop_resize(_i420(rgb), box, size)
        how = cv2.INTER_LINEAR if size[0] > 384 else cv2.INTER_AREA
        theirs = _i420(cv2.resize(rgb[100:316, 40:424], size, interpolation=how))
        assert ours.shape == (size[1] * 3 // 2, size[0])
        luma = np.abs(planes(ours)[0].astype(int) - planes(theirs)[0].astype(int))
        assert luma.mean() < 1.5 and np.percentile(luma, 99) <= 6
    whole = _i420(rgb)
    assert crop_resize(whole, (0, 0, 512, 512), (512, 512)) is whole  # nothing to do: no copy


def test_a_box_goes_to_rgb_and_back_without_touching_the_rest():
    from twincast.media.yuv import box_to_rgb, even_box, planes, rgb_into_box

    frame = _i420(astronaut())
    before = frame.copy()
    box = even_box((101, 51, 301, 249), 512, 512)
    assert box == (100, 50, 302, 250)
    rgb = box_to_rgb(frame, box)
    assert rgb.shape == (200, 202, 3)
    rgb_into_box(frame, box, rgb)
    y, u, v = (np.abs(a.astype(int) - b.astype(int)) for a, b in zip(planes(frame), planes(before)))
    assert (u == 0).all() and (v == 0).all()
    # the round trip keeps luma within a level, but where a colour lies outside RGB and is clipped
    assert (y[50:250, 100:302] > 1).mean() < 0.005
    y[50:250, 100:302] = 0
    assert y.max() == 0  # nothing outside the box is touched
    rgb[:] = 255
    rgb_into_box(frame, box, rgb)
    assert (planes(frame)[0][50:250, 100:302] == 235).all()  # white, in limited range
