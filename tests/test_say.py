"""`say`: text in, the clone saying it with lips that follow the words, disclosed and labelled."""

import json

import av
import numpy as np
import pytest

from conftest import NOW
from twincast.clone.clone import load_clone
from twincast.errors import TwincastError
from twincast.lipsync.phone_track import BILABIAL, OPEN, OTHER, SILENCE, frame_classes, phone_class
from twincast.lipsync.retrieval import choose_frames
from twincast.lipsync.say import resampled_blocks, say_file
from twincast.progress import Progress
from twincast.trust.audio_label import TONE_HZ, disclosure
from twincast.trust.label import Label
from twincast.voice.speech import Phone
from twincast.voice.stream import Voice, resample

TEXT = {"zh": "爸爸买了八包饼干，现在半价。", "en": "Pick up a pack of maps, bags are half price."}


def test_phone_classes_per_language():
    for s in "pbm":
        assert phone_class(s, "en") == BILABIAL
    for s in ("a", "ɑ", "æ", "ɒ", "aɪ", "aʊ"):
        assert phone_class(s, "en") == OPEN
    for s in ("ɐ", "ɪ", "ʌ", "ə", "i", "f", "w", "_"):
        assert phone_class(s, "en") == OTHER
    for s in ("b", "p", "m"):
        assert phone_class(s, "zh") == BILABIAL
    for s in ("a1", "ai3", "ao3", "an4", "ang2", "ia4", "iao1", "ua1", "uai4", "uan3", "uang2", "iang4", "a"):
        assert phone_class(s, "zh") == OPEN, s
    for s in ("ian4", "van2", "iii2", "e5", "^", "zh", "f", "ing3", "ou3", "u4"):
        assert phone_class(s, "zh") == OTHER, s
    assert phone_class("sil", "zh") == phone_class("sil", "en") == SILENCE


def test_a_20ms_b_still_claims_its_nearest_frame():
    rate, fps = 24000, 25.0  # a frame is 960 samples, centres at 480 + 960 k
    b = Phone("b", 1500, 1980, "zh")  # 20 ms between the centres at 1440 and 2400
    phones = [Phone("sil", 0, 900, "zh"), Phone("a1", 900, 1500, "zh"), b, Phone("a1", 1980, 4800, "zh"), Phone("sil", 4800, 6000, "zh")]
    classes = frame_classes(phones, rate, fps, 7)
    # The /b/'s middle (1740) is nearest frame 1's centre (1440): frame 1 closes.
    assert classes.tolist() == [SILENCE, BILABIAL, OPEN, OPEN, OPEN, SILENCE, SILENCE]
    # Centres decide otherwise: a phone holding a centre owns that frame.
    assert frame_classes([Phone("m", 0, 960, "en"), Phone("æ", 960, 2880, "en")], rate, fps, 3).tolist() == [BILABIAL, OPEN, OPEN]


def test_retrieval_keeps_each_frame_inside_its_pool():
    rng = np.random.default_rng(0)
    shapes = rng.normal(size=(200, 3)).astype(np.float32)
    targets = np.zeros((40, 3), np.float32)  # every target prefers middling mouths
    closed, wide = shapes[:, 0] < -1.0, shapes[:, 0] > 1.0
    frame_pool = np.tile([-1, 0, 1, 1], 10)
    path = choose_frames(targets, shapes, np.arange(200), np.ones(3, np.float32), frame_pool=frame_pool, pools=np.stack([closed, wide]))
    assert closed[path[frame_pool == 0]].all() and wide[path[frame_pool == 1]].all()
    assert np.abs(shapes[path[frame_pool == -1], 0]).max() < 1.0


def test_blockwise_resampling_is_the_whole_signal_resampled():
    pcm = np.random.default_rng(1).normal(size=24000 * 7 + 11).astype(np.float32)
    blocks = np.concatenate(list(resampled_blocks(pcm, 24000, 48000, block_s=2.0)))
    assert np.array_equal(blocks, resample(pcm, 24000, 48000))


@pytest.fixture(scope="module")
def voice():
    return Voice()


@pytest.fixture(scope="module")
def said(clone_dir, voice, tmp_path_factory):
    """zh with the spoken notice, en with the tone rhythm, each with a report."""
    folder = tmp_path_factory.mktemp("say")
    out = {}
    for lang, form in (("zh", "spoken"), ("en", "tone")):
        mp4, report = folder / f"{lang}.mp4", folder / f"{lang}.json"
        r = say_file(clone_dir, voice, TEXT[lang], lang, mp4, Progress(enabled=False), NOW, disclosure=form, report_path=report)
        out[lang] = (mp4, report, r)
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_lips_close_on_bilabials_open_on_open_vowels_and_rest_in_silence(said, lang):
    mp4, report_path, returned = said[lang]
    report = json.loads(report_path.read_text())
    a = report["articulation"]
    assert a == returned["articulation"]
    assert a["frames"]["bilabial"] >= 4 and a["frames"]["open"] >= 10 and a["frames"]["silence"] >= 10
    assert a["frames_without_face"] == 0
    assert a["bilabial_closure_rate"] >= 0.9
    assert a["open_vowel_rate"] >= 0.9
    assert a["silence_open_rate"] <= 0.05
    assert a["goals_met"]
    assert (report_path.parent / a["plot"]).stat().st_size > 5000


def _decode(mp4):
    with av.open(str(mp4)) as c:
        meta = dict(c.metadata)
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    with av.open(str(mp4)) as c:
        rate = c.streams.audio[0].codec_context.sample_rate
        audio = np.concatenate([f.to_ndarray().reshape(-1, 2).mean(axis=1) if f.format.is_packed else f.to_ndarray()[0] for f in c.decode(audio=0)])
    return meta, frames, audio.astype(np.float32), rate


def _envelope(x, rate, hop_s=0.02):
    hop = int(rate * hop_s)
    n = len(x) // hop
    return np.sqrt((x[: n * hop].reshape(n, hop) ** 2).mean(axis=1))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_file_is_labelled_disclosed_first_and_as_long_as_its_audio(said, clone_dir, voice, lang):
    mp4, _, report = said[lang]
    clone = load_clone(clone_dir)
    meta, frames, audio, rate = _decode(mp4)
    assert '"Label":"1"' in meta["AIGC"]
    # Every frame (first, middle, last checked) carries the visible label.
    label = Label(clone.width, clone.height, lang)
    text = label.alpha[..., 0] > 200
    for frame in (frames[0], frames[len(frames) // 2], frames[-1]):
        roi = frame[label.y0 : label.y1, label.x0 : label.x1].mean(axis=2)
        assert roi[text].mean() > roi[~text].mean() + 80
    # Right duration: frames cover the audio to within a frame, audio as synthesised.
    assert len(frames) == report["frames"]
    assert abs(len(frames) / clone.fps - report["seconds"]) <= 1 / clone.fps
    assert abs(len(audio) / rate - report["seconds"]) < 0.1
    if lang == "zh":
        # The spoken notice opens the file: its loudness envelope is the file's.
        notice, _ = disclosure("spoken", "zh", voice, voice.rate)
        want = _envelope(notice, voice.rate)
        got = _envelope(audio, rate)[: len(want)]
        assert np.corrcoef(want, got)[0, 1] > 0.9
    else:
        # The tone rhythm opens it: a 1 kHz beep in the first 150 ms, nothing loud before.
        first = audio[int(0.02 * rate) : int(0.13 * rate)]
        spectrum = np.abs(np.fft.rfft(first * np.hanning(len(first))))
        assert abs(np.fft.rfftfreq(len(first), 1 / rate)[spectrum.argmax()] - TONE_HZ) < 30
        assert np.sqrt((first**2).mean()) > 0.1


def test_the_disclosure_cannot_be_turned_off_and_consent_is_checked(clone_dir, voice, tmp_path):
    with pytest.raises(TwincastError, match="disclosure"):
        say_file(clone_dir, voice, "Hello.", "en", tmp_path / "o.mp4", Progress(enabled=False), NOW, disclosure="off")
    with pytest.raises(TwincastError, match="expired"):
        say_file(clone_dir, voice, "Hello.", "en", tmp_path / "o.mp4", Progress(enabled=False), NOW.replace(year=2031))
    assert not (tmp_path / "o.mp4").exists()
