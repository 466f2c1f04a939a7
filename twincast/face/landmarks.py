"""Face mesh landmarks in pixels, one frame at a time (mediapipe legacy face_mesh).

Tracking mode reuses the previous frame's face region, which is what makes it
fast (~2-10 ms a frame); a separate static detector counts faces on a few
sampled frames, because asking the tracker for two faces makes it run the
face detector on every frame.
"""

from __future__ import annotations

import os
import sys
import threading

import numpy as np

os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _face_mesh_module():
    from mediapipe.python.solutions import face_mesh

    return face_mesh


class _NativeStderrSilencer:
    """mediapipe's C++ side prints chatter straight to fd 2, from its own
    threads, at moments no Python call brackets (absl logs before any log
    level applies). While any tracker is open, fd 2 points at /dev/null;
    twincast's own progress output goes to a copy of the real stderr
    (twincast.progress), and errors are printed after trackers close."""

    def __init__(self) -> None:
        self._count = 0
        self._saved: int | None = None
        self._lock = threading.Lock()

    def acquire(self) -> None:
        with self._lock:
            if self._count == 0:
                sys.stderr.flush()
                self._saved = os.dup(2)
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 2)
                os.close(devnull)
            self._count += 1

    def release(self) -> None:
        with self._lock:
            self._count -= 1
            if self._count == 0 and self._saved is not None:
                sys.stderr.flush()
                os.dup2(self._saved, 2)
                os.close(self._saved)
                self._saved = None


_SILENCER = _NativeStderrSilencer()


class LandmarkTracker:
    """Landmarks (478 x 3, pixels; z in pixel-like units) of the main face, frame after frame."""

    def __init__(self, static: bool = False, max_faces: int = 1, min_confidence: float = 0.5) -> None:
        _SILENCER.acquire()
        self._closed = False
        try:
            self._mesh = _face_mesh_module().FaceMesh(
                static_image_mode=static,
                max_num_faces=max_faces,
                refine_landmarks=True,
                min_detection_confidence=min_confidence,
                min_tracking_confidence=0.5,
            )
        except BaseException:
            self._closed = True
            _SILENCER.release()
            raise

    def all_faces(self, rgb: np.ndarray) -> list[np.ndarray]:
        h, w = rgb.shape[:2]
        result = self._mesh.process(rgb)
        faces = []
        for face in result.multi_face_landmarks or []:
            pts = np.array([(p.x, p.y, p.z) for p in face.landmark], dtype=np.float32)
            pts[:, 0] *= w
            pts[:, 1] *= h
            pts[:, 2] *= w
            faces.append(pts)
        return faces

    def __call__(self, rgb: np.ndarray) -> np.ndarray | None:
        faces = self.all_faces(rgb)
        if not faces:
            return None
        return max(faces, key=face_width)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._mesh.close()
            _SILENCER.release()

    def __enter__(self) -> "LandmarkTracker":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def face_width(points: np.ndarray) -> float:
    return float(points[:, 0].max() - points[:, 0].min())
