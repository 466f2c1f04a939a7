"""`make demo`: the main job end to end on footage the project makes itself.

No clip of a real person ships with twincast: by default the demo animates
scikit-image's public-domain astronaut portrait with a synthesised voice,
records a consent for it, builds the clone, and has it say a sales script.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import numpy as np

from twincast.clone.make import make_clone
from twincast.errors import TwincastError
from twincast.lipsync.render import lipsync_file
from twincast.progress import Progress

SCRIPT = (
    "Hello everyone, and welcome to the live room. "
    "Today I am showing you our vacuum cup. It keeps drinks hot for twelve hours. "
    "Leave your questions in the chat, and I will answer them."
)


def run_demo(footage: Path | None, consent: Path | None, out: Path, progress: Progress, now: dt.datetime) -> None:
    from twincast.testing.presenter import make_consented_presenter
    from twincast.testing.synthetic_footage import synthesize_speech

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if footage is None:
        with progress.step("making synthetic footage (the public-domain astronaut portrait, talking)"):
            footage, consent = make_consented_presenter(out, now, name="footage", seconds=40.0, fps=25, size=512, seed=7)
    elif consent is None:
        raise TwincastError(
            "your own footage needs the depicted person's consent",
            f"record it first: twincast consent create --person NAME --footage {footage} --scope live,video --expires YYYY-MM-DD -o consent.json, then make demo FOOTAGE={footage} CONSENT=consent.json",
        )
    clone_dir = out / "clone"
    if (clone_dir / "manifest.json").exists():
        shutil.rmtree(clone_dir)  # the demo's own output from an earlier run
    make_clone(Path(footage), Path(consent), clone_dir, progress, now)

    speech = out / "script.wav"
    with progress.step("synthesising the script"):
        _write_wav(speech, synthesize_speech(SCRIPT, 22050), 22050)
    video = out / "clone_speaking.mp4"
    lipsync_file(clone_dir, speech, video, progress, now)
    print()
    print("twincast demo finished. Look at:")
    print(f"  {video}   the clone saying a sales script (labelled AI-generated)")
    print(f"  {clone_dir / 'report.png'}   the clone's quality report ({clone_dir / 'report.json'})")
    print(f"  {clone_dir}   the clone itself; consent record: {consent}")
    print("Not in this demo yet: the live room with simulated chat (it arrives with the live-room and commerce issues).")


def _write_wav(path: Path, mono: np.ndarray, rate: int) -> None:
    import wave

    pcm = (np.clip(mono, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm.tobytes())
