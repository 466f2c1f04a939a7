"""One pass over the training footage: landmarks, face checks, mouth crops.

Frames stream through once; all that is kept of each is its landmarks and a
JPEG of its lower face, so memory stays bounded whatever the file's size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import cv2
import numpy as np

from twincast.errors import TwincastError
from twincast.face import indices as ix
from twincast.face.landmarks import LandmarkTracker, face_width
from twincast.media.footage import FootageInfo, iter_frames

MIN_FACE_PX = 80
FACE_COUNT_EVERY_S = 2.0
CROP_JPEG_QUALITY = 94


@dataclass
class MouthCrop:
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in the frame
    jpeg: bytes


@dataclass
class TrackResult:
    fps: float
    first_index: int
    width: int
    height: int
    landmarks: np.ndarray  # N x 478 x 3 float32, NaN where no usable face
    crops: list[MouthCrop | None]
    drop_reasons: dict[str, int] = field(default_factory=dict)
    extra_face_frames: int = 0
    checked_frames: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def valid(self) -> np.ndarray:
        return ~np.isnan(self.landmarks[:, 0, 0])


def crop_box(points: np.ndarray, width: int, height: int) -> tuple[int, int, int, int]:
    """The lower face with room for the jaw to drop, clipped to the frame."""
    region = points[np.concatenate([ix.LOWER_FACE, ix.JAW]), :2]
    x0, y0 = region.min(axis=0)
    x1, y1 = region.max(axis=0)
    w, h = x1 - x0, y1 - y0
    x0, x1 = x0 - 0.12 * w, x1 + 0.12 * w
    y0, y1 = y0 - 0.08 * h, y1 + 0.35 * h
    return (max(int(x0), 0), max(int(y0), 0), min(int(np.ceil(x1)), width), min(int(np.ceil(y1)), height))


def encode_crop(rgb: np.ndarray, box: tuple[int, int, int, int]) -> bytes:
    x0, y0, x1, y1 = box
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(rgb[y0:y1, x0:x1], cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, CROP_JPEG_QUALITY])
    assert ok
    return buf.tobytes()


def decode_crop(jpeg: bytes) -> np.ndarray:
    bgr = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def track_footage(
    info: FootageInfo,
    start_s: float,
    end_s: float,
    keep_crops: bool = True,
    on_frame: Callable[[int], None] | None = None,
) -> TrackResult:
    fps = float(info.fps)
    expected = int(np.floor((end_s - start_s) * fps + 1e-6))
    landmarks: list[np.ndarray] = []
    crops: list[MouthCrop | None] = []
    drops: dict[str, int] = {}
    nan = np.full((478, 3), np.nan, np.float32)
    every = max(int(round(FACE_COUNT_EVERY_S * fps)), 1)
    extra_faces = checked = 0
    first_index = None
    with LandmarkTracker() as tracker, LandmarkTracker(static=True, max_faces=3) as counter:
        for frame in iter_frames(info, start_s, end_s):
            if first_index is None:
                first_index = frame.index
            n = frame.index - first_index
            if n % every == 0:
                checked += 1
                if len(counter.all_faces(frame.rgb)) > 1:
                    extra_faces += 1
            points = tracker(frame.rgb)
            reason = None
            if points is None:
                reason = "no face found"
            elif face_width(points) < MIN_FACE_PX:
                reason = f"face narrower than {MIN_FACE_PX} px"
            if reason:
                drops[reason] = drops.get(reason, 0) + 1
                landmarks.append(nan)
                crops.append(None)
            else:
                landmarks.append(points)
                if keep_crops:
                    box = crop_box(points, frame.rgb.shape[1], frame.rgb.shape[0])
                    crops.append(MouthCrop(box, encode_crop(frame.rgb, box)))
                else:
                    crops.append(None)
            if on_frame:
                on_frame(1)
    result = TrackResult(
        fps=fps,
        first_index=first_index or 0,
        width=info.width,
        height=info.height,
        landmarks=np.stack(landmarks) if landmarks else np.zeros((0, 478, 3), np.float32),
        crops=crops,
        drop_reasons=drops,
        extra_face_frames=extra_faces,
        checked_frames=checked,
    )
    got = len(landmarks)
    if got < expected - max(2, int(0.02 * expected)):
        result.warnings.append(
            f"the video ends early: {got / fps:.1f} s of {expected / fps:.1f} s decoded (truncated or corrupt file?)"
        )
    return result


def require_usable_face(result: TrackResult, path_name: str) -> None:
    """Refuse footage without one clear, large enough face in most frames."""
    n = len(result.landmarks)
    if n == 0:
        raise TwincastError(f"{path_name}: no video frames could be decoded", "the file is corrupt or truncated; re-export it")
    valid = int(result.valid.sum())
    if valid == 0:
        reason = max(result.drop_reasons, key=result.drop_reasons.get) if result.drop_reasons else "no face found"
        if reason.startswith("face narrower"):
            raise TwincastError(
                f"{path_name}: the face is too small (narrower than {MIN_FACE_PX} px in every frame)",
                "film closer or at a higher resolution so the face is at least 80 px wide (200+ is best)",
            )
        raise TwincastError(f"{path_name}: no face found in the footage", "film the person facing the camera, face fully visible")
    if result.checked_frames and result.extra_face_frames / result.checked_frames > 0.5:
        raise TwincastError(
            f"{path_name}: two or more faces are in view in most of the footage, so whose clone this is is ambiguous",
            "film only the consenting person, or crop the footage to them",
        )
    if result.extra_face_frames:
        result.warnings.append(
            f"a second face is in view in {result.extra_face_frames} of {result.checked_frames} sampled frames; the largest face was used"
        )
    if valid < 0.5 * n:
        raise TwincastError(
            f"{path_name}: a usable face is visible in only {valid} of {n} frames",
            "use footage where the person faces the camera most of the time",
        )
