"""`make demo`: the main job end to end on footage the project makes itself.

No clip of a real person ships with twincast: by default the demo animates
scikit-image's public-domain astronaut portrait with a synthesised voice,
records a consent for it, builds the clone, has it say a sales line (with its
articulation report), then runs a short live room: the run-of-show director
sells the sample catalogue, a simulated audience asks questions and sends
gifts, and the room answers from the catalogue. Everything is recorded to a
labelled MP4. The room runs on the fake clock, so the demo does not wait for
room time to pass.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
from importlib import resources
from pathlib import Path

from twincast.clone.make import make_clone
from twincast.errors import TwincastError
from twincast.progress import Progress

SAY = "家人们看过来！这款316不锈钢保温杯今天只要89.9元，下单再送杯套。"
ROOM_SECONDS = 45


def run_demo(footage: Path | None, consent: Path | None, out: Path, progress: Progress, now: dt.datetime) -> None:
    from twincast.lipsync.say import say_file
    from twincast.testing.presenter import make_consented_presenter
    from twincast.voice.voice_setup import make_voice

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

    video = out / "clone_says.mp4"
    report = out / "clone_says.report.json"
    say_file(clone_dir, make_voice(None, clone_dir, lang="zh"), SAY, "zh", video, progress, now, "spoken", report)

    recordings = out / "room"
    shutil.rmtree(recordings, ignore_errors=True)
    status = _live_room(clone_dir, recordings, progress)
    room_files = sorted(recordings.glob("rec/*.mp4"))
    print()
    print("twincast demo finished. Look at:")
    print(f"  {video}   the clone saying a sales line (labelled; spoken AI notice first)")
    print(f"  {report.with_suffix('.png')}   its lips against the words (closures, open vowels, silence)")
    for f in room_files:
        print(f"  {f}   {ROOM_SECONDS} s of a live room: the director selling, simulated viewers answered")
    print(f"  {recordings / 'audit'}   every line the room said, with its source and the ad-law guard's changes")
    print(f"  {clone_dir / 'report.png'}   the clone's quality report; consent record: {consent}")
    print(f"  room: {status['utterances']} lines said, {status.get('commerce', {}).get('chat_events', 0)} chat events, drift {status['drift_frames']} frames")


def _live_room(clone_dir: Path, folder: Path, progress: Progress) -> dict:
    from twincast.room.clock import FakeClock
    from twincast.room.config import RoomConfig
    from twincast.room.runner import RunningRoom

    catalog = resources.files("twincast.commerce").joinpath("sample_catalog_zh.yaml")
    cfg = RoomConfig.model_validate({
        "clone": str(clone_dir), "language": "zh", "profile": "custom",
        "video": {"width": 720, "height": 720, "fps": 25, "video_kbps": 2000},
        "disclosure": "spoken",
        "catalog": str(catalog), "segment_seconds": 30,
        "chat": [{"type": "simulated", "rate_per_min": 12, "seed": 3}],
        "outputs": [{"type": "record", "folder": str(folder / "rec")}],
        "audit": str(folder / "audit"),
    })
    running = RunningRoom(cfg, progress, clock=FakeClock(), await_speech=True)
    with progress.step(f"running a {ROOM_SECONDS} s live room (fake clock) with simulated chat"):
        asyncio.run(running.run(seconds=ROOM_SECONDS))
    return running.status()
