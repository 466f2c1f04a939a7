"""Two live rooms at once on this machine, each streaming RTMP to the project's local nginx.

    .venv/bin/python bench/bench_two_rooms.py --clone CLONE [--seconds 180] [--size 1280x720] [--fps 25] [--langs zh,en]

Starts nginx with the RTMP module on 127.0.0.1 (twincast.testing.nginx_rtmp), a player per stream
that pulls it as a platform would and measures what arrives (twincast.testing.stream_watch: frames
missing, the jitter a player's buffer must cover), and a `twincast bench room` process per language
side by side (two rooms by default, one Mandarin and one English; `--langs en` runs one). Prints each
room's JSON line with its stream's figures under "stream", then a summary line against the issue's
goals (real time, no drift, no frame missing, each room's first audio within 300 ms p95). In the environment,
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
    parser.add_argument("--langs", default="zh,en", help="one room per language, side by side")
    args = parser.parse_args()
    why = available()
    if why:
        print(json.dumps({"bench": "two_rooms", "skipped": why}))
        return 0
    with tempfile.TemporaryDirectory(prefix="twincast-two-rooms-") as tmp, NginxRtmp(Path(tmp) / "nginx") as server:
        rooms, watchers = [], []
        for i, lang in enumerate(args.langs.split(",")):
            url = server.rtmp_url(f"room{i}")
            watchers.append(subprocess.Popen([str(ROOT / ".venv" / "bin" / "python"), "-m", "twincast.testing.stream_watch", url, "--fps", str(args.fps)],
                                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT))
            rooms.append(subprocess.Popen(
                [str(ROOT / ".venv" / "bin" / "twincast"), "-q", "bench", "room", "--clone", args.clone, "--seconds", str(args.seconds),
                 "--size", args.size, "--fps", str(args.fps), "--lang", lang, "--output", url, "--json"],
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True))
        results = []
        for proc, watcher in zip(rooms, watchers):
            out, _ = proc.communicate()
            result = json.loads(out)
            result.pop("rss_series_mb", None)
            seen, _ = watcher.communicate(timeout=60)  # it ends a few seconds after the stream does
            result["stream"] = json.loads(seen) if seen.strip() else {"error": f"the player exited with {watcher.returncode}"}
            results.append(result)
            print(json.dumps(result))
    print(json.dumps({"summary": {
        "rooms": len(results),
        "min_fps": min(r["fps"] for r in results),
        "dropped_frames": [r["dropped_frames"] for r in results],  # late + underruns
        "late_ms_max": [r.get("late_ms_max") for r in results],
        "cpu_cores": [r["cpu_cores"] for r in results],
        "enqueue_to_audio_ms_p95": [r["enqueue_to_audio_ms_p95"] for r in results],
        "missing_frames": [r["stream"].get("missing_frames") for r in results],  # at the player
        "stream_jitter_ms": [r["stream"].get("jitter_ms") for r in results],
        "drift_frames": max(abs(r["drift_frames"]) for r in results),
        "output_failures": sum(o["failures"] for r in results for o in r["outputs"]),
        "goal_met": all(r["fps"] >= 0.99 * args.fps and r["drift_frames"] == 0 and r["enqueue_to_audio_ms_p95"] <= 300
                        and r["stream"].get("missing_frames") == 0 for r in results),
    }}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
