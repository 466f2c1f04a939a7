"""Fills a Playback: the voice's chunks, resampled to the room's audio rate
by the Voice itself, and the mouths of every frame they complete. Runs on the
room's speech thread. A reply turn starts with the audio disclosure, which
was synthesised once at room start, so it costs no latency."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import numpy as np

from twincast.lipsync.live_mouth import LiveMouth
from twincast.room.playback import Playback
from twincast.trust.audio_label import disclosure
from twincast.voice.clauses import clauses
from twincast.voice.speech import Phone
from twincast.voice.stream import Voice


class Speaker:
    def __init__(self, voice: Voice, mouth: LiveMouth, lang: str, disclosure_form: str, current_frame, guard=None, audit=None) -> None:  # noqa: ANN001
        """current_frame: () -> int; guard: (text, lang) -> GuardResult (the ad-law guard, before
        anything reaches the voice); audit: an AuditLog recording every line spoken."""
        self.voice = voice
        self.mouth = mouth
        self.lang = lang
        self.current_frame = current_frame
        self.guard = guard
        self.audit = audit
        self.notice = disclosure(disclosure_form, lang, voice, voice.rate)

    def __call__(self, pb: Playback) -> None:
        for _ in self.steps(pb):
            pass

    def steps(self, pb: Playback) -> Iterator[None]:
        """As a call, in two steps: up to the line's first chunk of speech in the playback, and the
        rest. The room runs the first on a thread at its own priority, the rest lowered (engine.Room)."""
        u = pb.utterance
        if self.guard is not None:
            checked = self.guard(u.text, self.lang)
            if self.audit is not None:
                self.audit.record(id=u.id, source=u.source, said=None if checked.dropped else checked.text, original=u.text, changes=[dataclasses.asdict(c) for c in checked.changes], dropped=checked.dropped)
            if checked.dropped or not checked.text.strip():
                pb.finish()  # nothing compliant to say: the room moves on (the audit log has it)
                return
            u.text = checked.text
        elif self.audit is not None:
            self.audit.record(id=u.id, source=u.source, said=u.text)
        spf = pb.samples_per_frame
        # The frame the utterance will most likely start on: now plus the
        # first chunk's synthesis (a few frames); only the head pose uses it.
        room_frame = self.current_frame() + 4
        phones: list[Phone] = []
        total = 0
        planned = 0

        def push(pcm: np.ndarray, new_phones: list[Phone], final: bool = False) -> bool:
            nonlocal total, planned
            phones.extend(Phone(p.symbol, p.start + total, p.end + total, p.lang) for p in new_phones)
            total += len(pcm)
            ready = -(-total // spf) if final else total // spf
            mouths = self.mouth.plan(phones, self.voice.rate, planned, ready - planned, room_frame + planned)
            planned = ready
            return pb.push(pcm, mouths)

        if pb.utterance.reply:
            pcm, notice_phones = self.notice
            if not push(pcm, notice_phones):
                return
        offset = total
        parts = [c.text for c in clauses(pb.utterance.text, self.lang)]
        for chunk in self.voice.stream(pb.utterance.text, self.lang, cancel=pb.cancel):
            shifted = [Phone(p.symbol, p.start - chunk.pts, p.end - chunk.pts, p.lang) for p in chunk.phones]
            if not push(chunk.pcm, shifted):
                return
            if chunk.pts == 0:
                yield
            assert total == offset + chunk.end_pts
            if chunk.pause_after:
                pb.mark_boundary(" ".join(parts[chunk.clause + 1 :]) if self.lang == "en" else "".join(parts[chunk.clause + 1 :]))
        push(np.zeros(0, np.float32), [], final=True)
        pb.finish()
