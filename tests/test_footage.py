"""Bad footage gets a clear one-line error; odd but valid footage (rotated, VFR) works."""

import subprocess
from fractions import Fraction

import av
import numpy as np
import pytest

from twincast.errors import TwincastError
from twincast.media.footage import iter_frames, probe_footage, require_clone_footage


def _write_video(path, n, size=(64, 48), fps=25, pts=None, audio=False, codec="libx264"):
    with av.open(str(path), "w") as c:
        s = c.add_stream(codec, rate=fps)
        s.width, s.height = size
        s.pix_fmt = "yuv420p"
        s.time_base = Fraction(1, 1000) if pts is not None else Fraction(1, fps)
        for i in range(n):
            img = np.full((size[1], size[0], 3), (i * 7) % 256, np.uint8)
            img[:4, :8] = 255  # a bright mark in the top-left corner tells the orientation
            f = av.VideoFrame.from_ndarray(img, format="rgb24")
            f.pts = pts[i] if pts is not None else i
            for p in s.encode(f):
                c.mux(p)
        for p in s.encode():
            c.mux(p)


def test_missing_folder_and_non_video_files_are_named(tmp_path):
    with pytest.raises(TwincastError, match="no such file"):
        probe_footage(tmp_path / "missing.mp4")
    with pytest.raises(TwincastError, match="folder"):
        probe_footage(tmp_path)
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(np.random.default_rng(0).integers(0, 255, 50_000, dtype=np.uint8).tobytes())
    with pytest.raises(TwincastError, match="not a readable video"):
        probe_footage(junk)


def test_a_file_missing_its_head_is_refused(footage, tmp_path):
    data = footage[0].read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[len(data) // 3 :])
    with pytest.raises(TwincastError, match="corrupt, truncated"):
        probe_footage(cut)


def test_a_file_missing_its_tail_is_reported_as_ending_early(footage, tmp_path):
    from twincast.clone.tracking import track_footage

    data = footage[0].read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    try:
        info = probe_footage(cut)
    except TwincastError as exc:  # a container with its index at the end cannot be opened at all
        assert "corrupt, truncated" in str(exc)
        return
    result = track_footage(info, 0.0, info.duration_s, keep_crops=False)
    assert any("ends early" in w for w in result.warnings), result.warnings


def test_no_audio_and_too_short_are_refused(tmp_path):
    silent = tmp_path / "silent.mp4"
    _write_video(silent, 300)
    with pytest.raises(TwincastError, match="no audio track"):
        require_clone_footage(probe_footage(silent))
    short = tmp_path / "short.mp4"
    _write_video(short, 50)
    info = probe_footage(short)
    with pytest.raises(TwincastError, match="only 2.0 s"):
        require_clone_footage(_with_audio(info))


def _with_audio(info):
    import dataclasses

    return dataclasses.replace(info, has_audio=True)


def test_rotated_portrait_footage_comes_out_upright(tmp_path):
    plain = tmp_path / "plain.mp4"
    _write_video(plain, 10, size=(64, 48))
    rotated = tmp_path / "rotated.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(plain), "-c", "copy", "-metadata:s:v:0", "rotate=90", str(rotated)], check=True)
    info = probe_footage(rotated)
    assert info.rotation_deg in (90, 270)
    assert (info.width, info.height) == (48, 64)
    frame = next(iter_frames(info))
    assert frame.rgb.shape == (64, 48, 3)
    # The bright corner mark moved off the top-left corner: the picture was turned, not just relabelled.
    assert frame.rgb[:4, :8].mean() < 200


def test_variable_frame_rate_is_resampled_to_the_nominal_rate(tmp_path):
    # 2 s at ~25 fps with jittered timestamps and a 0.2 s hole.
    times = [int(i * 40 + (7 if i % 3 == 0 else 0)) for i in range(20)] + [int(1000 + i * 40) for i in range(25)]
    vfr = tmp_path / "vfr.mp4"
    _write_video(vfr, len(times), pts=times)
    info = probe_footage(vfr)
    frames = list(iter_frames(info))
    indices = [f.index for f in frames]
    assert indices == list(range(len(indices)))  # no gaps, no repeats
    assert abs(len(frames) - info.duration_s * float(info.fps)) <= 2


def test_a_still_image_is_named_as_such(tmp_path):
    import cv2

    still = tmp_path / "photo.png"
    cv2.imwrite(str(still), np.zeros((64, 64, 3), np.uint8))
    with pytest.raises(TwincastError, match="still image"):
        probe_footage(still)


def test_hevc_footage_decodes_like_h264(tmp_path):
    hevc = tmp_path / "hevc.mp4"
    _write_video(hevc, 30, size=(96, 64), codec="libx265")
    info = probe_footage(hevc)
    assert info.video_codec == "hevc"
    frames = list(iter_frames(info))
    assert len(frames) == 30 and frames[0].rgb.shape == (64, 96, 3)


def test_audio_only_file_is_named_as_such(tmp_path):
    wav = tmp_path / "voice.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=duration=1", str(wav)], check=True)
    with pytest.raises(TwincastError, match="no video track"):
        probe_footage(wav)
