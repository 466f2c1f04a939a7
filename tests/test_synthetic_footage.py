"""The synthetic footage must really show what its ground truth claims.

Every later test of tracking, cloning and lip-sync leans on this generator, so
these checks re-measure the clip with the same tools a real pipeline uses
(PyAV to decode, mediapipe FaceMesh to find the lips) instead of trusting it.
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

mp = pytest.importorskip("mediapipe")
pytest.importorskip("skimage")

from twincast.testing.synthetic_footage import (  # noqa: E402
    AUDIO_RATE_HZ,
    astronaut_landmarks,
    make_talking_footage,
    synthesize_speech,
)

SECONDS = 10.0
FPS = 25
SAMPLED_FRAMES = 60


def _decode_video(path: Path) -> tuple[list[np.ndarray], list[int]]:
    with av.open(str(path)) as container:
        frames = list(container.decode(video=0))
    return [f.to_ndarray(format="rgb24") for f in frames], [f.pts for f in frames]


def _decode_audio(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        chunks = [f.to_ndarray().reshape(-1) for f in container.decode(audio=0)]
    return np.concatenate(chunks)


def _face_mesh(max_faces: int = 1):
    return mp.solutions.face_mesh.FaceMesh(static_image_mode=True, max_num_faces=max_faces, refine_landmarks=True)


def _lip_gap_px(mesh, frame: np.ndarray) -> float:
    result = mesh.process(frame)
    assert result.multi_face_landmarks, "FaceMesh lost the face"
    lm = result.multi_face_landmarks[0].landmark
    h, w = frame.shape[:2]
    return float(np.hypot((lm[13].x - lm[14].x) * w, (lm[13].y - lm[14].y) * h))


def _faces_found(frame: np.ndarray) -> int:
    with _face_mesh(max_faces=2) as mesh:
        return len(mesh.process(frame).multi_face_landmarks or [])


@pytest.fixture(scope="module")
def talking(tmp_path_factory):
    path = tmp_path_factory.mktemp("synthetic") / "talking.mp4"
    truth = make_talking_footage(path, seconds=SECONDS, fps=FPS, seed=1)
    frames, pts = _decode_video(path)
    return path, truth, frames, pts


@pytest.fixture(scope="module")
def measured_gaps(talking):
    _, truth, frames, _ = talking
    idx = np.linspace(0, len(frames) - 1, SAMPLED_FRAMES).round().astype(int)
    with _face_mesh() as mesh:
        gaps = np.array([_lip_gap_px(mesh, frames[i]) for i in idx])
    return idx, gaps


def test_container_has_expected_streams_and_timing(talking):
    path, truth, frames, pts = talking
    with av.open(str(path)) as container:
        video, audio = container.streams.video[0], container.streams.audio[0]
        assert video.codec_context.name == "h264"
        assert video.average_rate == FPS
        assert video.codec_context.pix_fmt == "yuv420p"
        assert audio.codec_context.name == "aac"
        assert audio.rate == AUDIO_RATE_HZ
        assert float(container.duration / av.time_base) == pytest.approx(SECONDS, abs=0.1)
    assert len(frames) == truth.n_frames == round(SECONDS * FPS)
    assert frames[0].shape == (512, 512, 3)
    # Integer pts that count frames: each frame one tick of 1/fps.
    assert sorted(pts) == list(range(len(frames)))
    samples = _decode_audio(path)
    assert samples.size == pytest.approx(SECONDS * AUDIO_RATE_HZ, abs=2 * 1024)


def test_truth_is_consistent(talking):
    _, truth, _, _ = talking
    assert truth.fps == FPS and truth.sample_rate_hz == AUDIO_RATE_HZ
    assert truth.mouth_open_px.shape == truth.speaking.shape == (truth.n_frames,)
    assert truth.speaking.any() and not truth.speaking.all()
    assert np.all(truth.mouth_open_px[~truth.speaking] == 0.0)
    assert truth.mouth_open_px.max() > 6.0  # a visible opening, in 512 px frames
    assert truth.text and truth.text[0].isupper()
    # There must be a pause long enough to idle on (at least half a second).
    silent_runs = np.diff(np.flatnonzero(np.diff(np.r_[True, truth.speaking, True].astype(int))))
    assert silent_runs.max() >= 0.5 * FPS


def test_audio_is_loud_exactly_where_truth_says_speaking(talking):
    path, truth, _, _ = talking
    samples = _decode_audio(path)
    per_frame = AUDIO_RATE_HZ // FPS
    usable = min(truth.n_frames, samples.size // per_frame)
    rms = np.sqrt((samples[: usable * per_frame].reshape(usable, per_frame) ** 2).mean(axis=1))
    speaking = truth.speaking[:usable]
    assert np.median(rms[speaking]) > 20 * max(np.median(rms[~speaking]), 1e-5)
    # The mouth follows the loudness of the very audio that is in the file.
    assert np.corrcoef(rms[speaking], truth.mouth_open_px[:usable][speaking])[0, 1] > 0.6


def test_redetected_lip_gap_correlates_with_truth(talking, measured_gaps):
    _, truth, _, _ = talking
    idx, gaps = measured_gaps
    expected = truth.mouth_open_px[idx]
    r = float(np.corrcoef(gaps, expected)[0, 1])
    slope = float(np.polyfit(expected, gaps, 1)[0])
    print(f"FaceMesh lip gap vs truth over {idx.size} frames: Pearson r = {r:.3f}, slope = {slope:.2f}")
    assert r > 0.9
    # Pixels mean pixels: the detector should see about the opening we drew.
    assert 0.6 < slope < 1.3


def test_mouth_is_closed_in_silence(talking, measured_gaps):
    _, truth, _, _ = talking
    idx, gaps = measured_gaps
    silent = ~truth.speaking[idx]
    wide = truth.mouth_open_px[idx] > 0.6 * truth.mouth_open_px.max()
    assert silent.sum() >= 5 and wide.sum() >= 5
    assert gaps[silent].max() < 1.0
    assert gaps[wide].min() > 4.0


def test_same_seed_gives_same_clip_and_other_seed_differs(tmp_path):
    first = make_talking_footage(tmp_path / "a.mp4", seconds=2.0, seed=5)
    again = make_talking_footage(tmp_path / "b.mp4", seconds=2.0, seed=5)
    other = make_talking_footage(tmp_path / "c.mp4", seconds=2.0, seed=6, with_audio=False)
    assert np.array_equal(first.mouth_open_px, again.mouth_open_px)
    assert first.text == again.text
    frames_a, _ = _decode_video(tmp_path / "a.mp4")
    frames_b, _ = _decode_video(tmp_path / "b.mp4")
    assert all(np.array_equal(a, b) for a, b in zip(frames_a, frames_b))
    assert not np.array_equal(first.mouth_open_px, other.mouth_open_px)


def test_video_only_and_custom_text(tmp_path):
    path = tmp_path / "quiet.mp4"
    truth = make_talking_footage(path, seconds=3.0, seed=2, with_audio=False, text="Hello there. Buy now!")
    with av.open(str(path)) as container:
        assert len(container.streams.audio) == 0
        assert len(container.streams.video) == 1
    assert truth.text == "Hello there. Buy now!"
    assert truth.speaking.any()


def test_size_and_face_scale_scale_the_truth(tmp_path):
    base = make_talking_footage(tmp_path / "base.mp4", seconds=2.0, seed=3, with_audio=False)
    small = make_talking_footage(tmp_path / "small.mp4", seconds=2.0, seed=3, with_audio=False,
                                 size=256, face_scale=0.5)
    np.testing.assert_allclose(small.mouth_open_px, base.mouth_open_px * 0.25, rtol=1e-5)
    frames, _ = _decode_video(tmp_path / "small.mp4")
    assert frames[0].shape == (256, 256, 3)
    assert _faces_found(frames[0]) == 0  # a 23 px face is below FaceMesh's reach


def test_two_faces_are_both_found(tmp_path):
    make_talking_footage(tmp_path / "two.mp4", seconds=1.0, faces=2, with_audio=False)
    frames, _ = _decode_video(tmp_path / "two.mp4")
    assert [_faces_found(frames[i]) for i in (0, len(frames) - 1)] == [2, 2]


def test_no_face_is_found(tmp_path):
    truth = make_talking_footage(tmp_path / "none.mp4", seconds=1.0, faces=0, with_audio=False)
    frames, _ = _decode_video(tmp_path / "none.mp4")
    assert [_faces_found(frames[i]) for i in (0, len(frames) - 1)] == [0, 0]
    assert not truth.mouth_open_px.any()


def test_hard_coded_landmarks_match_the_image():
    from skimage import data

    with _face_mesh() as mesh:
        lm = mesh.process(data.astronaut()).multi_face_landmarks[0].landmark
    ids = {
        "upper_inner_lip": (78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308),
        "lower_inner_lip": (78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308),
        "chin": (152,),
        "left_eye_upper": (33, 246, 161, 160, 159, 158, 157, 173, 133),
        "left_eye_lower": (33, 7, 163, 144, 145, 153, 154, 155, 133),
        "right_eye_upper": (362, 398, 384, 385, 386, 387, 388, 466, 263),
        "right_eye_lower": (362, 382, 381, 380, 374, 373, 390, 249, 263),
    }
    for name, points in astronaut_landmarks().items():
        measured = np.array([[lm[i].x * 512, lm[i].y * 512] for i in ids[name]])
        np.testing.assert_allclose(points, measured, atol=1.5, err_msg=name)


def test_synthesize_speech_returns_mono_float_at_requested_rate():
    audio = synthesize_speech("Testing one two three.", sample_rate_hz=16000)
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert 0.5 < audio.size / 16000 < 4.0
    assert 0.05 < np.abs(audio).max() <= 1.0
    double = synthesize_speech("Testing one two three.", sample_rate_hz=32000)
    assert double.size == pytest.approx(2 * audio.size, abs=4)


def test_rejects_impossible_arguments(tmp_path):
    with pytest.raises(ValueError):
        make_talking_footage(tmp_path / "x.mp4", seconds=1.0, faces=3)
    with pytest.raises(ValueError):
        make_talking_footage(tmp_path / "x.mp4", seconds=1.0, size=511)
