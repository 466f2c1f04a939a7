"""`make demo`'s verb end to end: footage the project makes, a consent, a clone, a say video,
and a live room selling the sample catalogue to a simulated audience."""

import json

import av

from twincast.cli import main


def test_demo_builds_a_clone_says_a_line_and_runs_a_room(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["-q", "demo", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    video = out / "clone_says.mp4"
    assert str(video) in printed
    assert (out / "clone" / "manifest.json").exists() and (out / "clone" / "report.png").exists()
    with av.open(str(video)) as container:
        assert container.streams.video[0].frames > 100 and container.streams.audio
        assert '"Label":"1"' in container.metadata["AIGC"]
    report = json.loads((out / "clone_says.report.json").read_text())
    assert report["articulation"]["goals_met"]
    rooms = sorted((out / "room" / "rec").glob("*.mp4"))
    assert rooms and all(str(r) in printed for r in rooms)
    with av.open(str(rooms[0])) as container:
        assert abs(float(container.duration) / 1e6 - 45) < 1 and '"Label":"1"' in container.metadata["AIGC"]
    audit = [json.loads(line) for f in (out / "room" / "audit").glob("*.jsonl") for line in f.read_text().splitlines()]
    sources = {r["source"] for r in audit}
    assert "script" in sources and sources & {"chat", "gift", "enter", "follow"}  # the director sold, viewers were answered
    # Running it again replaces the demo's own clone and room instead of refusing.
    assert main(["-q", "demo", "--out", str(out)]) == 0


def test_demo_on_own_footage_asks_for_consent(tmp_path, capsys, footage):
    assert main(["-q", "demo", "--footage", str(footage[0]), "--out", str(tmp_path)]) == 2
    assert "consent create" in capsys.readouterr().err
