"""Two live rooms at once on this machine, each streaming RTMP to the project's local nginx.

    .venv/bin/python bench/bench_two_rooms.py --clone CLONE [--seconds 180] [--size 1280x720] [--fps 25]

Starts nginx with the RTMP module on 127.0.0.1 (twincast.testing.nginx_rtmp), an ffmpeg reader per
stream (as a platform would pull it), and two `twincast bench room` processes side by side (one
speaking Mandarin lines, one English). Prints each room's JSON line, then a summary line against the
issue's goals (real time, no drift, each room's first audio within 300 ms p95). In the environment,
`TWINCAST_SPEECH_PROCESS=0` measures the baseline with speech on a thread of each room instead of its
own process, `TWINCAST_SPEECH_NICE=0` the one with speech at normal priority, and
`TWINCAST_FIRST_CHUNK_RAISE=0` the one with a line's first chunk at the frames' priority (otherwise
it goes 3 steps above them: raised where the system allows it, root here, else the rest of each
room lowered; each room's JSON line gives its `speech_nice`). Run as root without the privilege to
raise, as an ordinary user would be: `setpriv --bounding-set -sys_nice .venv/bin/python bench/...`."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    from twincast.testing.nginx_rtmp import NginxRtmp, available

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clone", required=True)
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--fps", type=int, default=25)
    args = parser.parse_args()
    why = available()
    if why:
        print(json.dumps({"bench": "two_rooms", "skipped": why}))
        return 0
    with tempfile.TemporaryDirectory(prefix="twincast-two-rooms-") as tmp, NginxRtmp(Path(tmp) / "nginx") as server:
        rooms, readers = [], []
        for i, lang in enumerate(("zh", "en")):
            url = server.rtmp_url(f"room{i}")
            readers.append(subprocess.Popen(["ffmpeg", "-loglevel", "quiet", "-i", url, "-c", "copy", "-f", "null", "-"]))
            rooms.append(subprocess.Popen(
                [str(ROOT / ".venv" / "bin" / "twincast"), "-q", "bench", "room", "--clone", args.clone, "--seconds", str(args.seconds),
                 "--size", args.size, "--fps", str(args.fps), "--lang", lang, "--output", url, "--json"],
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True))
        results = []
        for proc in rooms:
            out, _ = proc.communicate()
            result = json.loads(out)
            result.pop("rss_series_mb", None)
            results.append(result)
            print(json.dumps(result))
        for reader in readers:
            reader.terminate()
    print(json.dumps({"summary": {
        "rooms": 2,
        "min_fps": min(r["fps"] for r in results),
        "dropped_frames": [r["dropped_frames"] for r in results],  # late + underruns
        "late_ms_max": [r.get("late_ms_max") for r in results],
        "cpu_cores": [r["cpu_cores"] for r in results],
        "enqueue_to_audio_ms_p95": [r["enqueue_to_audio_ms_p95"] for r in results],
        "drift_frames": max(abs(r["drift_frames"]) for r in results),
        "output_failures": sum(o["failures"] for r in results for o in r["outputs"]),
        "goal_met": all(r["fps"] >= 0.99 * args.fps and r["drift_frames"] == 0 and r["enqueue_to_audio_ms_p95"] <= 300 for r in results),
    }}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
