"""`make demo`'s verb end to end: footage the project makes, a consent, a clone, a labelled video."""

import av

from twincast.cli import main


def test_demo_builds_a_clone_and_renders_it_speaking(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["-q", "demo", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    video = out / "clone_speaking.mp4"
    assert str(video) in printed and "Not in this demo yet" in printed
    assert (out / "clone" / "manifest.json").exists() and (out / "clone" / "report.png").exists()
    with av.open(str(video)) as container:
        assert container.streams.video[0].frames > 100 and container.streams.audio
        assert '"Label":"1"' in container.metadata["AIGC"]
    # Running it again replaces the demo's own clone instead of refusing.
    assert main(["-q", "demo", "--out", str(out)]) == 0


def test_demo_on_own_footage_asks_for_consent(tmp_path, capsys, footage):
    assert main(["-q", "demo", "--footage", str(footage[0]), "--out", str(tmp_path)]) == 2
    assert "consent create" in capsys.readouterr().err
