"""Pick, for every output frame, the library mouth that best matches the target
shape while keeping the sequence smooth (Viterbi over nearest candidates).

Consecutive footage frames are free to follow each other, so where the
target allows it the clone replays real motion rather than stills.
"""

from __future__ import annotations

import numpy as np

N_CANDIDATES = 48
HOLD_COST = 0.1  # showing the same frame again: a still mouth
JUMP_COST = 0.1  # cutting to an unrelated frame
SHAPE_JUMP_WEIGHT = 0.1
STILL_JUMP_COST = 2.0  # extra cost of a cut where the mouth should rest
# Costs tuned on oracle targets (the real tail's own shapes) and audio targets
# of the four shared clips: oracle opening correlation ~0.9 with few holds.


OUTSIDE_POOL_COST = 1e6  # a mouth outside the frame's pool: never chosen while one inside is a candidate


def _nearest(
    tgt: np.ndarray, lib: np.ndarray, k: int, block: int = 256, frame_pool: np.ndarray | None = None, pools: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """k nearest library shapes per target, in blocks so memory stays bounded for long audio."""
    cand = np.zeros((len(tgt), k), np.int64)
    unary = np.zeros((len(tgt), k), np.float32)
    lib_sq = (lib**2).sum(-1)
    for a in range(0, len(tgt), block):
        t = tgt[a : a + block]
        dist = (t**2).sum(-1)[:, None] + lib_sq[None, :] - 2 * t @ lib.T
        if frame_pool is not None:
            for p, allowed in enumerate(pools):
                rows = np.flatnonzero(frame_pool[a : a + block] == p)
                if len(rows):
                    dist[np.ix_(rows, np.flatnonzero(~allowed))] += OUTSIDE_POOL_COST
        idx = np.argpartition(dist, k - 1, axis=1)[:, :k]
        cand[a : a + block] = idx
        unary[a : a + block] = np.maximum(np.take_along_axis(dist, idx, axis=1), 0)
    return cand, unary


def choose_frames(
    targets: np.ndarray,
    shapes: np.ndarray,
    frame_ids: np.ndarray,
    scale: np.ndarray,
    stillness: np.ndarray | None = None,
    frame_pool: np.ndarray | None = None,
    pools: np.ndarray | None = None,
) -> np.ndarray:
    """targets T x K, shapes M x K, scale K (per-coefficient spread) -> T library indices.

    stillness (T, 0..1): where the mouth should rest (silence), cutting to
    another frame costs STILL_JUMP_COST more, so the resting mouth is held
    instead of hopping between equally good closed mouths (flicker).

    frame_pool (T, int) and pools (P x M bool): frame t may only show library
    mouths in pools[frame_pool[t]] (-1: any), e.g. closed mouths on a /b/.
    Each pool must hold at least one mouth."""
    t_len = len(targets)
    if t_len == 0:
        return np.zeros(0, np.int64)
    lib = (shapes / scale).astype(np.float32)
    tgt = (targets / scale).astype(np.float32)
    lib_sq = (lib**2).sum(-1)
    k = min(N_CANDIDATES, len(lib))
    cand, unary = _nearest(tgt, lib, k, frame_pool=frame_pool, pools=pools)
    cost = unary[0].copy()
    back = np.zeros((t_len, k), np.int64)
    for t in range(1, t_len):
        prev, cur = cand[t - 1], cand[t]
        step = frame_ids[cur][None, :] - frame_ids[prev][:, None]
        jump = np.maximum(lib_sq[prev][:, None] + lib_sq[cur][None, :] - 2 * lib[prev] @ lib[cur].T, 0)
        jump_cost = JUMP_COST + (STILL_JUMP_COST * stillness[t] if stillness is not None else 0.0)
        trans = np.where(step == 1, 0.0, np.where(step == 0, HOLD_COST, jump_cost + SHAPE_JUMP_WEIGHT * jump))
        total = cost[:, None] + trans
        back[t] = np.argmin(total, axis=0)
        cost = total[back[t], np.arange(k)] + unary[t]
        # Only differences matter; keeping the minimum at 0 keeps float32
        # precise over an hour of frames (and next to OUTSIDE_POOL_COST).
        cost -= cost.min()
    path = np.zeros(t_len, np.int64)
    j = int(np.argmin(cost))
    for t in range(t_len - 1, -1, -1):
        path[t] = cand[t, j]
        j = back[t, j]
    return path
