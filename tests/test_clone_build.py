"""`twincast clone build`: the consent gate, bad footage, and what a good build leaves."""

import json

import numpy as np
import pytest

from conftest import record_consent
from twincast.cli import main
from twincast.clone.clone import load_clone
from twincast.testing.synthetic_footage import make_talking_footage


def _build(capsys, footage, consent, out):
    code = main(["-q", "clone", "build", str(footage), "--consent", str(consent), "-o", str(out)])
    return code, capsys.readouterr()


def test_a_good_build_leaves_a_complete_clone_and_report(clone_dir, footage):
    manifest = json.loads((clone_dir / "manifest.json").read_text())
    assert manifest["person"] == "Test Presenter" and manifest["consent_scope"] == ["live", "video"]
    report = json.loads((clone_dir / "report.json").read_text())
    assert report["frames_total"] == 500 and report["frames_used"] >= 0.95 * 500
    assert report["face_width_px_median"] > 80
    assert report["silence_seconds"] > 2 and report["speech_seconds"] > 5
    assert (clone_dir / "report.png").stat().st_size > 10_000
    clone = load_clone(clone_dir)
    assert len(clone.library) == report["frames_used"]
    assert clone.base_landmarks.shape[0] % 2 == 0  # forward then backward
    # The mouth choice's settings were tuned on held-out footage, reported, and saved with the clone.
    assert report["lipsync_held_out_open_corr"] > 0.8  # the synthetic mouth follows its voice closely (0.92)
    assert clone.opening_weight == pytest.approx(report["mouth_choice_opening_weight"], abs=0.01)
    assert clone.smooth_frames == pytest.approx(report["mouth_smoothing_frames"], abs=0.01)


def test_a_clone_built_before_the_tuned_choice_loads_with_the_old_settings(clone_dir, tmp_path):
    import shutil

    from twincast.face.mouth_space import OPENING_WEIGHT
    from twincast.lipsync.mouth_track import SMOOTH_FRAMES

    old = tmp_path / "old"
    shutil.copytree(clone_dir, old)
    arrays = dict(np.load(old / "model.npz"))
    del arrays["choice_opening_weight"], arrays["choice_smooth_frames"]
    np.savez_compressed(old / "model.npz", **arrays)
    clone = load_clone(old)
    assert (clone.opening_weight, clone.smooth_frames) == (OPENING_WEIGHT, SMOOTH_FRAMES)


def test_build_is_faster_than_the_footage_is_long(clone_dir):
    report = json.loads((clone_dir / "report.json").read_text())
    # 20 s of footage; generous so a loaded CI machine does not flake, but a
    # regression to frame-by-frame model loading would still fail.
    assert report["build_seconds"] < 60


def test_consent_for_other_footage_is_refused_and_nothing_is_written(capsys, footage, tmp_path):
    other = tmp_path / "other.mp4"
    other.write_bytes(footage[0].read_bytes() + b"\0")
    consent = record_consent(other, tmp_path / "c.json")
    code, out = _build(capsys, footage[0], consent, tmp_path / "clone")
    assert code == 2 and "covers other footage" in out.err and "Traceback" not in out.err
    assert not (tmp_path / "clone").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_missing_consent_is_refused(capsys, footage, tmp_path):
    code, out = _build(capsys, footage[0], tmp_path / "none.json", tmp_path / "clone")
    assert code == 2 and "consent create" in out.err


def test_existing_output_is_not_overwritten(capsys, footage, consent, clone_dir):
    before = (clone_dir / "manifest.json").read_text()
    code, out = _build(capsys, footage[0], consent, clone_dir)
    assert code == 2 and "already exists" in out.err
    assert (clone_dir / "manifest.json").read_text() == before


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"faces": 0}, "no face found"),
        ({"faces": 2, "size": 512}, "two or more faces"),
        ({"size": 256, "face_scale": 0.55}, "face"),
        ({"with_audio": False}, "no audio track"),
        ({"seconds": 6.0}, "only 6.0 s long"),
    ],
)
def test_unusable_footage_gets_one_clear_line(capsys, tmp_path, kwargs, message):
    params = {"seconds": 11.0, "size": 256, "seed": 1, **kwargs}
    clip = tmp_path / "clip.mp4"
    make_talking_footage(clip, **params)
    consent = record_consent(clip, tmp_path / "c.json")
    code, out = _build(capsys, clip, consent, tmp_path / "clone")
    assert code == 2, out
    assert message in out.err and "Traceback" not in out.err
    assert "what to do:" in out.err
    assert not (tmp_path / "clone").exists()


def test_small_face_message_names_the_size(capsys, tmp_path):
    clip = tmp_path / "small.mp4"
    make_talking_footage(clip, seconds=11.0, size=256, face_scale=0.75, seed=2)
    consent = record_consent(clip, tmp_path / "c.json")
    code, out = _build(capsys, clip, consent, tmp_path / "clone")
    assert code == 2 and "too small" in out.err and "80 px" in out.err


def test_mouth_library_shapes_track_the_true_opening(clone_dir, footage):
    """The clone's own measurement of the footage agrees with the ground truth."""
    clone = load_clone(clone_dir)
    truth = footage[1].mouth_open_px[clone.library.frame_ids]
    first = clone.library.shapes[:, 0]
    assert abs(np.corrcoef(first, truth)[0, 1]) > 0.9


def test_long_footage_is_cut_to_the_training_limit_with_a_warning(footage, monkeypatch):
    """Files of any length are streamed; only the first MAX_TRAIN_SECONDS are learnt from."""
    from twincast.clone import build
    from twincast.media.footage import probe_footage
    from twincast.progress import Progress

    monkeypatch.setattr(build, "MAX_TRAIN_SECONDS", 12.0)
    progress = Progress(enabled=False)
    built = build.build_clone(probe_footage(footage[0]), 0.0, 20.0, progress)
    assert len(built.track.landmarks) == 300  # 12 s at 25 fps
    assert any("first 12 s" in w for w in progress.warnings)
