"""A clone in memory and on disk.

On disk a clone is a directory:
  manifest.json   format version, person, consent and footage hashes, video geometry
  model.npz       mouth space, audio->mouth model, mouth library arrays, base loop landmarks
  mouths.bin      the library's lower-face JPEGs, back to back (offsets in model.npz)
  base.mp4        the idle loop (footage played forward then backward: seamless)
  report.json / report.png   the build's quality report
It is written to a temporary sibling and renamed into place, so a directory
with a manifest is always complete.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from twincast.clone.library import MouthLibrary
from twincast.errors import TwincastError
from twincast.trust.withdrawal import require_not_withdrawn
from twincast.face.mouth_space import OPENING_WEIGHT, MouthSpace
from twincast.lipsync.audio_to_mouth import AudioMouthModel
from twincast.lipsync.mouth_track import SMOOTH_FRAMES

FORMAT = "twincast-clone"
FORMAT_VERSION = 1


@dataclass
class Clone:
    fps: float
    width: int
    height: int
    space: MouthSpace
    audio_model: AudioMouthModel
    library: MouthLibrary
    rest_shape: np.ndarray  # mouth features at rest (silent, lips together)
    pause_shape: np.ndarray  # mouth features in a short pause between phrases
    # Set per clone by lipsync.choice_fit: the opening's weight in the mouth choice, and the
    # smoothing (Gaussian sigma, frames) of the predicted mouth.
    opening_weight: float = OPENING_WEIGHT
    smooth_frames: float = SMOOTH_FRAMES
    base_landmarks: np.ndarray | None = None  # L x 478 x 2 for each frame of base.mp4
    base_path: Path | None = None
    manifest: dict = field(default_factory=dict)

    @property
    def shape_scale(self) -> np.ndarray:
        return self.space.feature_scale(self.library.shapes, self.opening_weight)

    def save(self, out_dir: Path, base_video: Path, report: dict, report_png: Path | None, extra_files: tuple[Path, ...] = ()) -> Path:
        out_dir = Path(out_dir)
        if out_dir.exists():
            raise TwincastError(f"{out_dir} already exists", "choose another -o folder or remove the old clone first")
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-", dir=out_dir.parent))
        try:
            lengths = np.array([len(j) for j in self.library.jpegs], np.int64)
            with open(tmp / "mouths.bin", "wb") as fh:
                for blob in self.library.jpegs:
                    fh.write(blob)
            arrays = {
                **self.space.to_arrays(),
                **self.audio_model.to_arrays(),
                "lib_frame_ids": self.library.frame_ids,
                "lib_shapes": self.library.shapes,
                "lib_landmarks": self.library.landmarks.astype(np.float32),
                "lib_boxes": self.library.boxes,
                "lib_jpeg_lengths": lengths,
                "rest_shape": self.rest_shape,
                "pause_shape": self.pause_shape,
                "choice_opening_weight": np.float32(self.opening_weight),
                "choice_smooth_frames": np.float32(self.smooth_frames),
                "base_landmarks": self.base_landmarks.astype(np.float32),
            }
            np.savez_compressed(tmp / "model.npz", **arrays)
            shutil.move(str(base_video), tmp / "base.mp4")
            (tmp / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
            if report_png is not None:
                shutil.move(str(report_png), tmp / "report.png")
            for extra in extra_files:  # e.g. voice_profile.json
                shutil.move(str(extra), tmp / Path(extra).name)
            manifest = {"format": FORMAT, "version": FORMAT_VERSION, "fps": self.fps, "width": self.width, "height": self.height, **self.manifest}
            (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
            tmp.rename(out_dir)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return out_dir


def load_clone(clone_dir: Path) -> Clone:
    clone_dir = Path(clone_dir)
    manifest_path = clone_dir / "manifest.json"
    if not manifest_path.exists():
        raise TwincastError(f"{clone_dir} is not a clone (no manifest.json)", "build one with `twincast clone build`")
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, ValueError):
        raise TwincastError(f"{manifest_path} is unreadable", "rebuild the clone with `twincast clone build`") from None
    if manifest.get("format") != FORMAT:
        raise TwincastError(f"{clone_dir} is not a twincast clone", "build one with `twincast clone build`")
    require_not_withdrawn(clone_dir)
    if manifest.get("version") != FORMAT_VERSION:
        raise TwincastError(
            f"{clone_dir} was built by another twincast version (format {manifest.get('version')}, this one reads {FORMAT_VERSION})",
            "rebuild it from the footage with `twincast clone build`",
        )
    try:
        arrays = dict(np.load(clone_dir / "model.npz"))
        blob = (clone_dir / "mouths.bin").read_bytes()
    except (OSError, ValueError) as exc:
        raise TwincastError(f"{clone_dir} is damaged ({exc})", "rebuild it with `twincast clone build`") from None
    ends = np.cumsum(arrays["lib_jpeg_lengths"])
    starts = ends - arrays["lib_jpeg_lengths"]
    library = MouthLibrary(
        frame_ids=arrays["lib_frame_ids"],
        shapes=arrays["lib_shapes"],
        landmarks=arrays["lib_landmarks"],
        boxes=arrays["lib_boxes"],
        jpegs=[blob[a:b] for a, b in zip(starts, ends)],
    )
    return Clone(
        fps=float(manifest["fps"]),
        width=int(manifest["width"]),
        height=int(manifest["height"]),
        space=MouthSpace.from_arrays(arrays),
        audio_model=AudioMouthModel.from_arrays(arrays),
        library=library,
        rest_shape=arrays["rest_shape"],
        pause_shape=arrays["pause_shape"],
        # Clones built before these were chosen per clone keep the constants they were built with.
        opening_weight=float(arrays.get("choice_opening_weight", OPENING_WEIGHT)),
        smooth_frames=float(arrays.get("choice_smooth_frames", SMOOTH_FRAMES)),
        base_landmarks=arrays["base_landmarks"],
        base_path=clone_dir / "base.mp4",
        manifest=manifest,
    )
