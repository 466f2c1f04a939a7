"""A PNG of real vs rendered faces side by side, for looking at seams and teeth."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from twincast.face import indices as ix
from twincast.trust.label import Label

N_COLUMNS = 6
TILE_PX = 200


class ContactSheet:
    def __init__(self, methods: tuple[str, ...]) -> None:
        self.rows = ("real", *methods)
        self.tiles: dict[int, list[np.ndarray]] = {}

    def offer(self, t: int, real: np.ndarray, renders: dict[str, np.ndarray], points: np.ndarray, n_frames: int) -> None:
        """Keep frames at evenly spaced times."""
        wanted = {int((i + 0.5) * n_frames / N_COLUMNS) for i in range(N_COLUMNS)}
        if t not in wanted or len(self.tiles) >= N_COLUMNS:
            return
        region = points[np.concatenate([ix.LIPS, ix.JAW, ix.UNDER_NOSE]), :2]
        cx, cy = region.mean(axis=0)
        half = 0.75 * max(np.ptp(region[:, 0]), np.ptp(region[:, 1]))
        h, w = real.shape[:2]
        x0, y0 = int(max(cx - half, 0)), int(max(cy - half, 0))
        x1, y1 = int(min(cx + half, w)), int(min(cy + half, h))
        images = [real, *(renders[k] for k in self.rows[1:])]
        self.tiles[t] = [cv2.resize(img[y0:y1, x0:x1], (TILE_PX, TILE_PX), interpolation=cv2.INTER_AREA) for img in images]

    def save(self, path: Path) -> None:
        if not self.tiles:
            return
        columns = [np.vstack(self.tiles[t]) for t in sorted(self.tiles)]
        sheet = np.hstack(columns)
        labels = np.full((sheet.shape[0], 90, 3), 255, np.uint8)
        for r, name in enumerate(self.rows):
            cv2.putText(labels, name, (6, r * TILE_PX + TILE_PX // 2), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 0, 0), 1, cv2.LINE_AA)
        body = np.hstack([labels, sheet])
        # Rendered faces leave twincast only with the AI label on them; it sits
        # on a header band so it hides no face.
        label = Label(body.shape[1], body.shape[0], "en")
        header = np.full((label.y1 + label.y0, body.shape[1], 3), 255, np.uint8)
        image = np.ascontiguousarray(np.vstack([header, body]))
        label.stamp(image)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(path), cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
