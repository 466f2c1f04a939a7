"""`twincast eval`: the self-reenactment JSON, exactly as documented, on footage with known truth."""

import json

import pytest

from conftest import shared_clip
from twincast.cli import main

KEYS = {"lmd", "open_corr", "psnr", "ssim", "av_offset_frames", "silence_open_rate"}


def _eval(capsys, path, *extra):
    assert main(["-q", "eval", str(path), "--train-fraction", "0.7", "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_eval_prints_exactly_the_documented_json(capsys, footage, tmp_path):
    sheet = tmp_path / "sheet.png"
    result = _eval(capsys, footage[0], "--contact-sheet", str(sheet))
    assert set(result) == {"clip", "train_seconds", "test_seconds", "build_seconds", "render_fps", "methods", "real"}
    assert set(result["methods"]) == {"clone", "frozen", "energy"}
    for row in result["methods"].values():
        assert set(row) == KEYS
    assert set(result["real"]) == {"silence_open_rate"}
    assert result["train_seconds"] == pytest.approx(14.0) and result["test_seconds"] == pytest.approx(6.0)
    assert result["render_fps"] > 0 and sheet.stat().st_size > 10_000
    clone, frozen = result["methods"]["clone"], result["methods"]["frozen"]
    # The synthetic presenter's mouth follows her voice exactly; the clone must follow it too.
    assert clone["open_corr"] > 0.6 > frozen["open_corr"]
    assert clone["lmd"] < frozen["lmd"]
    assert abs(clone["av_offset_frames"]) <= 1


def test_eval_rejects_a_silly_train_fraction(capsys, footage):
    assert main(["-q", "eval", str(footage[0]), "--train-fraction", "0.99"]) == 2
    assert "out of range" in capsys.readouterr().err


@pytest.mark.shared_footage
def test_clone_beats_both_baselines_on_real_footage(capsys):
    result = _eval(capsys, shared_clip("en_obama_20s.mp4"))
    m = result["methods"]
    for baseline in ("frozen", "energy"):
        assert m["clone"]["lmd"] < m[baseline]["lmd"]
        assert m["clone"]["open_corr"] > m[baseline]["open_corr"]
