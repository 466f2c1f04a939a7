"""`twincast lipsync`: any audio in, a labelled MP4 at the footage's geometry out, mouth following the voice."""

import subprocess

import av
import numpy as np
import pytest

from conftest import NOW
from twincast.cli import main
from twincast.clone.clone import load_clone
from twincast.face.landmarks import LandmarkTracker
from twincast.face.shape import mouth_opening
from twincast.lipsync.audio_features import SAMPLE_RATE_HZ, speech_mask
from twincast.media.audio import load_audio
from twincast.testing.synthetic_footage import synthesize_speech
from twincast.trust.label import MIN_HEIGHT_FRACTION, Label


@pytest.fixture(scope="module")
def speech_mp3(tmp_path_factory):
    """Stereo 44.1 kHz MP3: a sentence, a second of silence, another sentence."""
    folder = tmp_path_factory.mktemp("speech")
    a = synthesize_speech("The cup keeps your tea hot for twelve hours.", 44100, words_per_minute=150)
    b = synthesize_speech("Order now and the sleeve is free.", 44100, words_per_minute=150)
    mono = np.concatenate([np.zeros(8820), a, np.zeros(44100), b, np.zeros(8820)]).astype(np.float32)
    raw = folder / "speech.f32"
    np.stack([mono, mono], axis=1).astype("<f4").tofile(raw)
    mp3 = folder / "speech.mp3"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "f32le", "-ar", "44100", "-ac", "2", "-i", str(raw), str(mp3)], check=True)
    return mp3


@pytest.fixture(scope="module")
def rendered(clone_dir, speech_mp3, tmp_path_factory):
    out = tmp_path_factory.mktemp("render") / "out.mp4"
    assert main(["-q", "lipsync", "--clone", str(clone_dir), "--audio", str(speech_mp3), "-o", str(out)]) == 0
    return out


def _frames(path):
    with av.open(str(path)) as c:
        for f in c.decode(video=0):
            yield f.to_ndarray(format="rgb24")


def test_output_has_the_footage_geometry_and_the_audio_in_sync(rendered, speech_mp3, clone_dir):
    clone = load_clone(clone_dir)
    audio_s = len(load_audio(speech_mp3, 16000)) / 16000
    with av.open(str(rendered)) as c:
        v, a = c.streams.video[0], c.streams.audio[0]
        assert (v.codec_context.width, v.codec_context.height) == (clone.width, clone.height)
        assert float(v.average_rate) == pytest.approx(clone.fps)
        assert a.codec_context.sample_rate == 48000
        n = sum(1 for _ in c.decode(video=0))
        assert abs(n / clone.fps - audio_s) <= 1.0 / clone.fps + 1e-6
        assert '"Label":"1"' in c.metadata["AIGC"]


def test_every_frame_carries_the_visible_label(rendered, clone_dir):
    clone = load_clone(clone_dir)
    label = Label(clone.width, clone.height, "en")
    assert label.text_height_px >= MIN_HEIGHT_FRACTION * min(clone.width, clone.height)
    text_pixels = label.alpha[..., 0] > 200
    count = 0
    for frame in _frames(rendered):
        roi = frame[label.y0 : label.y1, label.x0 : label.x1].mean(axis=2)
        # White glyphs over a darkened box: the text is far brighter than the box around it.
        assert roi[text_pixels].mean() > roi[~text_pixels].mean() + 80
        count += 1
    assert count > 50


def test_mouth_moves_with_speech_and_rests_in_silence(rendered, speech_mp3, clone_dir):
    clone = load_clone(clone_dir)
    frames = list(_frames(rendered))
    speaking = speech_mask(load_audio(speech_mp3, SAMPLE_RATE_HZ), clone.fps, len(frames))
    with LandmarkTracker() as tracker:
        opening = np.array([mouth_opening(tracker(f)) for f in frames])
    # Deep silence only: a frame or two of ramp at the edges is allowed.
    quiet = np.convolve(~speaking, np.ones(7), "same") >= 7
    assert quiet.sum() > 10 and speaking.sum() > 40
    threshold = clone.space.open_threshold
    # The landmark model re-reads a closed 90 px-wide composited mouth with
    # +-0.03 of noise, about half this presenter's open threshold, so a frame
    # or three of 33 can read "open"; a mouth that moved would fail all three.
    assert (opening[quiet] > threshold).mean() <= 0.1
    assert np.median(opening[quiet]) < 0.6 * threshold
    assert (opening[speaking] > threshold).mean() >= 0.3
    assert np.std(opening[speaking]) > 2 * np.std(opening[quiet])


def test_unreadable_audio_and_wrong_clone_folder_get_clear_errors(clone_dir, tmp_path, capsys):
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"RIFF....not audio")
    assert main(["-q", "lipsync", "--clone", str(clone_dir), "--audio", str(junk), "-o", str(tmp_path / "o.mp4")]) == 2
    assert main(["-q", "lipsync", "--clone", str(tmp_path), "--audio", str(junk), "-o", str(tmp_path / "o.mp4")]) == 2
    err = capsys.readouterr().err
    assert "not readable audio" in err and "is not a clone" in err and "Traceback" not in err
    assert not (tmp_path / "o.mp4").exists()


@pytest.mark.parametrize("selection_seconds", [60.0, 10.0])  # all of the footage; five stretches of it
def test_the_audio_to_mouth_fit_picks_a_window_that_reaches_the_sound_the_mouth_leads(monkeypatch, selection_seconds):
    """The mouth opens 200 ms before the sound that drives it: a window reaching that far ahead is
    chosen by the five-fold cross-validation, and it predicts unseen footage closely."""
    from twincast.lipsync import audio_to_mouth
    from twincast.lipsync.audio_features import ENCODER_HZ
    from twincast.lipsync.audio_to_mouth import fit_audio_mouth

    monkeypatch.setattr(audio_to_mouth, "SELECTION_SECONDS", selection_seconds)

    rng = np.random.default_rng(3)
    fps, seconds, lead = 25.0, 40, 10  # lead in encoder frames (20 ms each): 200 ms
    feats = rng.normal(size=(int(seconds * ENCODER_HZ) + 40, 16)).astype(np.float32)
    n = int(seconds * fps)
    centre = np.round(np.arange(n) / fps * ENCODER_HZ).astype(int)
    opening = feats[centre + lead, 0] + 0.5 * feats[centre + lead, 1] + 0.2 * rng.normal(size=n)
    targets = np.stack([opening, -opening], axis=1)
    train = n * 3 // 4
    model, _ = fit_audio_mouth(feats, fps, targets[:train], np.ones(train, bool))
    assert lead in set(model.offsets.tolist())
    predicted = model.predict(feats, fps, n)[train:, 0]
    assert np.corrcoef(predicted, opening[train:])[0, 1] > 0.9
