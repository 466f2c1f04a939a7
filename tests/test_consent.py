import datetime as dt
import json

import pytest

from conftest import NOW, record_consent
from twincast.cli import main
from twincast.errors import TwincastError
from twincast.trust.consent import create_consent, load_consent, require_consent


def _sha(c: str) -> str:
    return c * 64


def test_record_round_trips_and_binds_the_footage_hash(tmp_path):
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"not really a video, but hashed all the same")
    path = record_consent(clip, tmp_path / "c.json")
    record = load_consent(path)
    import hashlib

    assert record.footage_sha256 == hashlib.sha256(clip.read_bytes()).hexdigest()
    assert record.scope == ["live", "video"]
    require_consent(record, record.footage_sha256, "video", NOW.date())


def test_edited_record_is_refused(tmp_path):
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"x")
    path = record_consent(clip, tmp_path / "c.json")
    data = json.loads(path.read_text())
    data["expires"] = "2099-01-01"
    path.write_text(json.dumps(data))
    with pytest.raises(TwincastError, match="edited"):
        load_consent(path)


def test_wrong_footage_expired_and_out_of_scope_are_refused():
    record = create_consent("A", _sha("a"), ["video"], dt.date(2027, 1, 1), "A", NOW)
    with pytest.raises(TwincastError, match="other footage"):
        require_consent(record, _sha("b"), "video", NOW.date())
    with pytest.raises(TwincastError, match="expired"):
        require_consent(record, _sha("a"), "video", dt.date(2027, 1, 2))
    with pytest.raises(TwincastError, match="does not cover 'live'"):
        require_consent(record, _sha("a"), "live", NOW.date())


def test_expiry_in_the_past_and_unknown_scope_are_rejected_at_creation():
    with pytest.raises(TwincastError, match="not in the future"):
        create_consent("A", _sha("a"), ["video"], dt.date(2020, 1, 1), "A", NOW)
    with pytest.raises(ValueError, match="scope"):
        create_consent("A", _sha("a"), ["broadcast"], dt.date(2027, 1, 1), "A", NOW)


def test_cli_creates_consent_and_reports_a_missing_file_in_one_line(tmp_path, capsys):
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"y")
    out = tmp_path / "consent.json"
    assert main(["consent", "create", "--person", "Anna", "--footage", str(clip), "--scope", "live,video", "--expires", "2099-12-31", "-o", str(out)]) == 0
    assert load_consent(out).person == "Anna"
    assert main(["consent", "create", "--person", "Anna", "--footage", str(tmp_path / "nope.mp4"), "--scope", "video", "--expires", "2099-12-31", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "no such file" in err and "Traceback" not in err
