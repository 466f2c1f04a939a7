"""Which library mouth goes on each output frame: the one whose shape matches
the target and whose head pose matches the base frame it is pasted on.

A mouth filmed with the head turned differently brings the wrong cheek and
jaw edge with it (a dark streak where the face outline was), so pose is part
of the distance, not an afterthought.
"""

from __future__ import annotations

import numpy as np

from twincast.clone.clone import Clone
from twincast.face.shape import pose_proxy
from twincast.lipsync.mouth_track import speech_gate
from twincast.lipsync.phone_track import class_pools
from twincast.lipsync.retrieval import choose_frames

# Weight of a one-standard-deviation head-pose mismatch against mouth-feature
# distances. Tuned on the shared clips' held-out tails: at 0.5-1.0 mismatched
# jaws get through on the 60 s clip, at 2.0 the portrait clip runs short of
# mouths that fit both pose and shape (docs/BENCHMARKS.md).
POSE_WEIGHT = 1.5


def choose_mouths(
    clone: Clone,
    targets: np.ndarray,
    base_pose: np.ndarray,
    speaking: np.ndarray | None = None,
    classes: np.ndarray | None = None,
    allowed: np.ndarray | None = None,
) -> np.ndarray:
    """targets: T x F mouth features; base_pose: T x 2 head pose (face.shape.pose_proxy)
    of the frames pasted on; speaking: T voice activity (silent frames hold their mouth);
    classes: T phone classes (lipsync.phone_track): a bilabial frame only gets a
    closed library mouth, an open vowel an open one, silence a still one, because
    a target alone is only a preference and the nearest mouth can miss the class.
    allowed: M bools, the library mouths that may be shown (all when None)."""
    lib = clone.library
    lib_pose = pose_proxy(lib.landmarks)
    pose_scale = (lib_pose.std(axis=0) + 1e-3) / POSE_WEIGHT
    scale = np.concatenate([clone.shape_scale, pose_scale])
    keep = np.arange(len(lib)) if allowed is None else np.flatnonzero(allowed)
    lib_features = np.hstack([lib.shapes, lib_pose])[keep]
    wanted = np.hstack([targets, base_pose])
    stillness = None if speaking is None else 1.0 - speech_gate(speaking)
    frame_pool = pools = None
    by_class = class_pools(clone) if classes is not None else {}
    if by_class:
        order = list(by_class)
        pools = np.stack([by_class[c][keep] for c in order])
        lookup = np.full(max(order + [int(classes.max(initial=0))]) + 1, -1, np.int64)
        lookup[order] = np.arange(len(order))
        frame_pool = lookup[classes]
    chosen = choose_frames(wanted, lib_features, lib.frame_ids[keep], scale, stillness=stillness, frame_pool=frame_pool, pools=pools)
    return keep[chosen]
