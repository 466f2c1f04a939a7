"""Face mesh landmarks in pixels, one frame at a time (mediapipe legacy face_mesh).

Tracking mode reuses the previous frame's face region, which is what makes it
fast (~2-10 ms a frame); a separate static detector counts faces on a few
sampled frames, because asking the tracker for two faces makes it run the
face detector on every frame.
"""

from __future__ import annotations

import contextlib
import os
import sys

import numpy as np

os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _face_mesh_module():
    from mediapipe.python.solutions import face_mesh

    return face_mesh


@contextlib.contextmanager
def _native_stderr_silenced():
    """mediapipe's C++ side prints start-up chatter straight to fd 2 (before
    any log level applies); users should see only twincast's own lines."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


class LandmarkTracker:
    """Landmarks (478 x 3, pixels; z in pixel-like units) of the main face, frame after frame."""

    def __init__(self, static: bool = False, max_faces: int = 1, min_confidence: float = 0.5) -> None:
        with _native_stderr_silenced():
            self._mesh = _face_mesh_module().FaceMesh(
                static_image_mode=static,
                max_num_faces=max_faces,
                refine_landmarks=True,
                min_detection_confidence=min_confidence,
                min_tracking_confidence=0.5,
            )
        # The chatter comes when the landmark model first runs, i.e. on the first
        # calls after a face is first found, which may be far into the video.
        self._quiet_calls = 3

    def all_faces(self, rgb: np.ndarray) -> list[np.ndarray]:
        h, w = rgb.shape[:2]
        if self._quiet_calls <= 0:
            result = self._mesh.process(rgb)
        else:
            with _native_stderr_silenced():
                result = self._mesh.process(rgb)
            if result.multi_face_landmarks:
                self._quiet_calls -= 1
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
        self._mesh.close()

    def __enter__(self) -> "LandmarkTracker":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def face_width(points: np.ndarray) -> float:
    return float(points[:, 0].max() - points[:, 0].min())
