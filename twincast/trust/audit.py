"""The audit log: every line a room speaks, with its source and what the guard changed.

Append-only JSON lines, one file per month (kept at least six months: DESIGN.md,
Advertising Law record keeping). Each record is flushed as it is written, so a
crash loses nothing that was said."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path


class AuditLog:
    def __init__(self, folder: Path, wall) -> None:  # noqa: ANN001 - () -> datetime
        self.folder = Path(folder)
        self.wall = wall
        self._lock = threading.Lock()

    def path_for(self, when: dt.datetime) -> Path:
        return self.folder / f"audit-{when:%Y-%m}.jsonl"

    def record(self, **fields) -> None:  # noqa: ANN003 - free-form but JSON-serialisable
        when = self.wall()
        line = json.dumps({"at": when.isoformat(timespec="milliseconds"), **fields}, ensure_ascii=False, default=str)
        with self._lock:
            self.folder.mkdir(parents=True, exist_ok=True)
            with open(self.path_for(when), "a", encoding="utf-8") as fh:
                fh.write(line + "\n")
