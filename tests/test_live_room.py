"""A whole room with the real clone, voice and encoder on a fake clock, driven through its control API."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import av
import numpy as np
import pytest

from twincast.errors import TwincastError
from twincast.progress import Progress
from twincast.room.clock import FakeClock
from twincast.room.config import RoomConfig, load_room
from twincast.room.runner import RunningRoom
from twincast.testing.nginx_rtmp import free_port
from twincast.trust.label import Label

TOKEN = "test-token"


def label_visible(frame: np.ndarray, label: Label) -> bool:
    """The label's white text reads white and its dark box dark on a decoded frame."""
    region = frame[label.y0 : label.y1, label.x0 : label.x1].astype(float).mean(axis=2)
    ink = (label.premultiplied[..., 0] / np.maximum(label.alpha[..., 0], 1)) > 200
    return region[ink].mean() > 170 and region[ink].mean() - region[~ink].mean() > 80


def _request(port: int, path: str, body: dict | None = None, token: str | None = TOKEN) -> tuple[int, dict]:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=None if body is None else json.dumps(body).encode(), method="GET" if body is None else "POST")
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def test_a_room_speaks_answers_and_records(clone_dir, tmp_path):
    cfg = RoomConfig.model_validate({
        "clone": str(clone_dir), "language": "zh", "profile": "custom",
        "video": {"width": 320, "height": 240, "fps": 25, "video_kbps": 600},
        "script": ["这款保温杯只要八十九块九。"],
        "disclosure": "tone",
        "outputs": [{"type": "record", "folder": str(tmp_path / "rec")}, {"type": "hls", "folder": str(tmp_path / "hls")}],
        "audit": str(tmp_path / "audit"),
    })
    running = RunningRoom(cfg, Progress(enabled=False), clock=FakeClock(), await_speech=True)
    port = free_port()
    seen: dict = {}

    async def drive() -> None:
        loop = asyncio.get_running_loop()
        task = asyncio.create_task(running.run(seconds=12, control_port=port, token=TOKEN))
        while running.room.stats.frames < 5:
            await asyncio.sleep(0.01)
        seen["no_token"] = await loop.run_in_executor(None, _request, port, "/status", None, None)
        seen["wrong_token"] = await loop.run_in_executor(None, _request, port, "/status", None, "nope")
        seen["say"] = await loop.run_in_executor(None, _request, port, "/say", {"text": "有人问多少钱？八十九块九！", "source": "chat", "reply": True})
        seen["empty"] = await loop.run_in_executor(None, _request, port, "/say", {"text": "   "})
        seen["status"] = await loop.run_in_executor(None, _request, port, "/status")
        await task

    asyncio.run(drive())
    assert seen["no_token"][0] == 401 and seen["wrong_token"][0] == 401
    assert seen["say"][0] == 200 and seen["say"][1]["id"] >= 1
    assert seen["empty"][0] == 422
    status = seen["status"][1]
    assert status["state"] in ("speaking", "idle") and {o["name"] for o in status["outputs"]} == {"record-0", "hls-1"}
    final = running.status()
    assert final["frames"] == 12 * 25 and final["drift_frames"] == 0 and final["failed_utterances"] == 0
    assert final["utterances"] >= 3  # the opening line, the chat answer, the script
    # The voice spoke from its own process, which ended with the room.
    assert final["speech_process"]["restarts"] == 0 and final["speech_process"]["pid"] is None
    assert status["speech_process"]["pid"] not in (None, os.getpid())
    nice = status["speech_process"]["nice"]  # a line's first chunk above the frames (raised, or the rest lowered), its rest below
    assert set(nice) == {"first_chunk", "rest", "frames"} and nice["first_chunk"] < nice["frames"] < nice["rest"]

    files = list((tmp_path / "rec").glob("*.mp4"))
    assert len(files) == 1 and not list((tmp_path / "rec").glob("*.part"))
    with av.open(str(files[0])) as c:
        assert "AIGC" in c.metadata
        v = c.streams.video[0]
        assert (v.codec_context.width, v.codec_context.height) == (320, 240)
        assert abs(float(c.duration) / 1e6 - 12.0) < 0.2
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    with av.open(str(files[0])) as c:
        audio = np.concatenate([f.to_ndarray()[0] for f in c.decode(audio=0)])
    # The stream opens with the tone disclosure: 1 kHz beeps in the first second.
    first = audio[: 48000]
    assert np.abs(first).max() > 0.1
    spectrum = np.abs(np.fft.rfft(first))
    assert abs(np.argmax(spectrum) * 48000 / len(first) - 1000) < 20
    # The label is on the frames; the mouth moves while the room speaks.
    assert label_visible(frames[100], Label(320, 240, "zh"))
    lower = [f[140:220, 110:210].astype(np.float32) for f in frames[25:250]]
    assert np.mean([np.abs(a - b).mean() for a, b in zip(lower, lower[1:])]) > 0.5
    assert (tmp_path / "hls" / "index.m3u8").exists()
    audit = [json.loads(line) for f in (tmp_path / "audit").glob("audit-*.jsonl") for line in f.read_text().splitlines()]
    assert {"operator", "chat", "script"} <= {r["source"] for r in audit}  # every line spoken, with its source
    assert any(r["said"] and "八十九" in r["original"] or "89" in r["original"] for r in audit)


# A room in a process of its own, as `twincast live` runs it: what it lowers lasts the process's life.
UNPRIVILEGED_ROOM = """
import asyncio, json, os, sys, threading
from twincast.progress import Progress
from twincast.room.clock import FakeClock
from twincast.room.config import RoomConfig
from twincast.room.runner import RunningRoom
from twincast.room.speech_threads import may_raise

def nices(pid):
    return [os.getpriority(os.PRIO_PROCESS, int(t)) for t in os.listdir(f"/proc/{pid}/task")]

def room(clone, folder):
    cfg = RoomConfig.model_validate({"clone": clone, "language": "zh", "profile": "custom", "disclosure": "tone",
        "video": {"width": 320, "height": 240, "fps": 25, "video_kbps": 300},
        "outputs": [{"type": "record", "folder": folder + "/rec"}], "audit": folder + "/audit"})
    running = RunningRoom(cfg, Progress(enabled=False), clock=FakeClock(), await_speech=True)
    seen = {}

    async def drive():
        task = asyncio.create_task(running.run(seconds=4))
        while running.room.stats.frames < 10:
            await asyncio.sleep(0.01)
        seen["nice"] = running.status()["speech_process"]["nice"]
        seen["threads"] = {t.name: os.getpriority(os.PRIO_PROCESS, t.native_id) for t in threading.enumerate()}
        seen["child_main"] = os.getpriority(os.PRIO_PROCESS, running.voice.pid)
        seen["child"] = nices(running.voice.pid)
        await task
        seen["frames"] = running.status()["frames"]

    asyncio.run(drive())
    return seen

if __name__ == "__main__":
    if may_raise(3):  # the privilege itself, whatever TWINCAST_FIRST_CHUNK_RAISE says
        print(json.dumps({"may_raise": True}))
        sys.exit()
    clone, folder = sys.argv[1:]
    base = os.getpriority(os.PRIO_PROCESS, 0)
    print(json.dumps({"base": base, "rooms": [room(clone, folder + "/one"), room(clone, folder + "/two")]}))
"""


def _without_the_privilege_to_raise() -> None:
    """For a child process: no nice limit, and for root no CAP_SYS_NICE after exec (PR_CAPBSET_DROP)."""
    import ctypes
    import resource

    resource.setrlimit(resource.RLIMIT_NICE, (0, 0))
    ctypes.CDLL(None, use_errno=True).prctl(24, 23, 0, 0, 0)  # refused without CAP_SETPCAP: then it was not root's


def test_a_room_that_may_not_raise_a_thread_lowers_the_rest_instead(clone_dir, tmp_path):
    """No privilege: a line's first chunk stays at the room's priority and everything else goes 3 below,
    the same distances as a raise (the frames, and the rest of a line 10 below them)."""
    import subprocess
    import sys

    script = tmp_path / "room.py"
    script.write_text(UNPRIVILEGED_ROOM)
    done = subprocess.run([sys.executable, str(script), str(clone_dir), str(tmp_path)], capture_output=True, text=True, timeout=300,
                          preexec_fn=_without_the_privilege_to_raise)
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    if seen.get("may_raise"):
        pytest.skip("this system lets every process raise a thread's priority")
    base = seen["base"]
    frames, rest = min(19, base + 3), min(19, base + 13)
    for one in seen["rooms"]:  # a second room in the same process lowers nothing twice
        assert one["nice"] == {"first_chunk": base, "rest": rest, "frames": frames}
        threads = one["threads"]
        assert threads["room-speech-first_0"] == base  # hands a line's first chunk to the playback
        assert threads["MainThread"] == threads["room-media_0"] == threads["room-encode_0"] == frames
        assert threads["room-speech_0"] == rest
        assert one["child_main"] == base  # the speech process's thread that makes first chunks
        assert set(one["child"]) == {base, rest} and one["child"].count(rest) >= 2  # its lowered lane and that lane's workers
        assert one["frames"] == 4 * 25


def test_a_clone_without_live_consent_cannot_go_live(clone_dir, tmp_path):
    other = tmp_path / "clone"
    shutil.copytree(clone_dir, other)
    manifest = json.loads((other / "manifest.json").read_text())
    manifest["consent_scope"] = ["video"]
    (other / "manifest.json").write_text(json.dumps(manifest))
    cfg = RoomConfig.model_validate({"clone": str(other), "outputs": [{"type": "record", "folder": str(tmp_path / "r")}]})
    with pytest.raises(TwincastError, match="does not cover 'live'"):
        RunningRoom(cfg, Progress(enabled=False), clock=FakeClock())


@pytest.mark.parametrize(
    "text, message",
    [
        ("clone: c\ncolour: red\n", "line 2: colour: Extra inputs are not permitted"),
        ("clone: c\noutputs:\n  - type: rtmp\n    url: http://x/y\n", "line 4: outputs.0.url"),
        ("clone: c\nvideo: {fps: many}\n", "line 2: video.fps"),
        ("clone: c\nprofile: myspace\n", "line 2: profile"),
        ("clone: c\noutputs: [type: hls\n", "not valid YAML"),
        ("- just\n- a list\n", "a room file is a mapping"),
        ("outputs: []\n", "clone: Field required"),
        ("clone: c\nllm: {url: 'http://gpu:8000'}\n", "needs a catalog"),
        ("clone: c\ncatalog: c.yaml\nllm: {url: 'gpu:8000'}\n", "line 3: llm.url"),
    ],
)
def test_room_file_mistakes_name_the_line_and_key(tmp_path, text, message):
    path = tmp_path / "room.yaml"
    path.write_text(text)
    with pytest.raises(TwincastError) as err:
        load_room(path)
    assert message in str(err.value)


def test_webrtc_preview_reaches_an_aiortc_viewer(clone_dir, tmp_path):
    """WHEP against the running room: the viewer decodes the room's own H.264 (label on it) and Opus audio."""
    from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

    from twincast.room.clock import MonotonicClock

    cfg = RoomConfig.model_validate({
        "clone": str(clone_dir), "language": "en", "profile": "custom",
        "video": {"width": 320, "height": 240, "fps": 25, "video_kbps": 600},
        "outputs": [{"type": "webrtc"}],
        "audit": str(tmp_path / "audit"),
    })
    running = RunningRoom(cfg, Progress(enabled=False), clock=MonotonicClock())
    port = free_port()
    got: dict = {"video": [], "audio": 0}

    async def viewer() -> None:
        loop = asyncio.get_running_loop()
        task = asyncio.create_task(running.run(seconds=7, control_port=port, token=TOKEN))
        while running.room.stats.frames < 3:
            await asyncio.sleep(0.01)
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        pc.addTransceiver("video", direction="recvonly")
        pc.addTransceiver("audio", direction="recvonly")
        tracks: dict = {}
        pc.on("track", lambda t: tracks.__setitem__(t.kind, t))
        await pc.setLocalDescription(await pc.createOffer())

        def post() -> tuple[int, str, str]:
            req = urllib.request.Request(f"http://127.0.0.1:{port}/whep", data=pc.localDescription.sdp.encode(), method="POST")
            req.add_header("Content-Type", "application/sdp")
            req.add_header("Authorization", f"Bearer {TOKEN}")
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.headers["Location"], r.read().decode()

        status, location, answer = await loop.run_in_executor(None, post)
        got["status"], got["location"] = status, location
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
        while "video" not in tracks:
            await asyncio.sleep(0.01)
        for _ in range(30):
            frame = await asyncio.wait_for(tracks["video"].recv(), 10)
            got["video"].append(frame.to_ndarray(format="rgb24"))
        for _ in range(20):
            await asyncio.wait_for(tracks["audio"].recv(), 10)
            got["audio"] += 1
        got["health"] = running.status()["outputs"]
        await pc.close()
        await task

    asyncio.run(viewer())
    assert got["status"] == 201 and got["location"].startswith("/whep/")
    assert got["video"][-1].shape == (240, 320, 3) and got["audio"] == 20
    assert label_visible(got["video"][-1], Label(320, 240, "en"))  # the label is already on what viewers see
    assert any(o["name"] == "webrtc-preview" and o["viewers"] == 1 for o in got["health"])


def test_withdrawing_consent_stops_the_room_and_deletes_the_data(clone_dir, tmp_path):
    import datetime as dt

    from twincast.clone.clone import load_clone
    from twincast.trust.withdrawal import withdraw

    clone = tmp_path / "clone"
    shutil.copytree(clone_dir, clone)
    cfg = RoomConfig.model_validate({
        "clone": str(clone), "language": "en", "profile": "custom",
        "video": {"width": 160, "height": 160, "fps": 25, "video_kbps": 300},
        "outputs": [{"type": "record", "folder": str(tmp_path / "rec")}],
        "audit": str(tmp_path / "audit"),
    })
    running = RunningRoom(cfg, Progress(enabled=False), clock=FakeClock(), await_speech=True)
    result: dict = {}

    async def go() -> None:
        loop = asyncio.get_running_loop()
        task = asyncio.create_task(running.run(seconds=3600))
        await asyncio.sleep(0.5)
        result.update(await loop.run_in_executor(None, lambda: withdraw(clone, "changed her mind", dt.datetime(2026, 11, 26, tzinfo=dt.timezone.utc), grace_s=2.0)))
        await asyncio.wait_for(task, 30)

    asyncio.run(go())
    status = running.status()
    assert status["stopped_because"] == "the person withdrew consent" and status["frames"] < 3600 * 25
    assert {"mouths.bin", "model.npz", "base.mp4"} <= set(result["deleted"])
    assert not (clone / "mouths.bin").exists() and (clone / "WITHDRAWN.json").exists()
    with pytest.raises(TwincastError, match="withdrew consent"):
        load_clone(clone)
    assert list((tmp_path / "rec").glob("*.mp4"))  # what was recorded before is finalised, not lost


def test_a_room_file_llm_reaches_the_director_through_the_worker(clone_dir, tmp_path):
    from importlib import resources

    from twincast.commerce.rephrase_worker import RephraseWorker

    catalog = resources.files("twincast.commerce").joinpath("sample_catalog_zh.yaml")
    cfg = RoomConfig.model_validate({
        "clone": str(clone_dir), "catalog": str(catalog), "audit": str(tmp_path / "audit"),
        "outputs": [{"type": "record", "folder": str(tmp_path / "rec")}],
        "llm": {"url": "http://127.0.0.1:9", "model": "qwen", "timeout_s": 0.5},
    })
    running = RunningRoom(cfg, Progress(enabled=False), clock=FakeClock())
    worker = running.link.reworder
    assert isinstance(worker, RephraseWorker) and running.link.director._rephrase is worker
    assert running.status()["commerce"]["llm"] == {"asked": 0, "served": 0, "fetched": 0, "failed": 0, "dropped": 0, "waiting": 0}
    worker.close()
    running.close_voice()  # a room that is never run still owns its speech process
