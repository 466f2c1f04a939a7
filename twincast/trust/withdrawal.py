"""Withdrawing consent: the clone stops being usable and its biometric data is deleted.

PIPL Art. 15/47 and the Deep Synthesis Provisions: a person may withdraw
consent at any time; processing stops and their biometric data is deleted.
A withdrawal marker is written first, so every running room (which watches
for it) stops within a second or two; then, after a grace period, the face
and voice data are deleted. The manifest and the marker stay as the record of
what existed and when it was withdrawn; they hold no biometric data."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

from twincast.errors import TwincastError

MARKER = "WITHDRAWN.json"
BIOMETRIC_FILES = ("mouths.bin", "model.npz", "base.mp4", "voice_profile.json", "voice_plans.json", "report.png", "report.json")
GRACE_S = 2.0  # rooms poll once a second: they stop before their files disappear


def withdrawn(clone_dir: Path) -> dict | None:
    path = Path(clone_dir) / MARKER
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {"withdrawn_at": "unknown"}


def require_not_withdrawn(clone_dir: Path) -> None:
    record = withdrawn(clone_dir)
    if record is not None:
        raise TwincastError(
            f"the person withdrew consent for {Path(clone_dir).name} on {record.get('withdrawn_at', '?')}; its face and voice data were deleted",
            "this clone can never be used again; a new clone needs new footage and a new consent",
        )


def withdraw(clone_dir: Path, reason: str, now: dt.datetime, grace_s: float = GRACE_S) -> dict:
    clone_dir = Path(clone_dir)
    manifest = clone_dir / "manifest.json"
    if not manifest.exists():
        raise TwincastError(f"{clone_dir} is not a clone (no manifest.json)", "give the clone directory the consent was for")
    record = withdrawn(clone_dir)
    if record is None:
        record = {"withdrawn_at": now.isoformat(timespec="seconds"), "reason": reason, "person": json.loads(manifest.read_text()).get("person")}
        (clone_dir / MARKER).write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
        time.sleep(grace_s)
    deleted = []
    for name in BIOMETRIC_FILES:
        path = clone_dir / name
        if path.exists():
            path.unlink()
            deleted.append(name)
    return {**record, "deleted": deleted}
