"""`twincast clone build`: consent gate, build, idle loop, report, atomic save."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import numpy as np

from twincast import __version__
from twincast.clone.base_loop import choose_loop, write_loop
from twincast.clone.build import MAX_TRAIN_SECONDS, build_clone
from twincast.clone.report import draw_report, make_report
from twincast.errors import TwincastError
from twincast.media.audio import load_audio
from twincast.media.footage import probe_footage, require_clone_footage, sha256_file
from twincast.progress import Progress
from twincast.trust.consent import load_consent, require_consent
from twincast.voice.plan_file import measure_plans, save_plans
from twincast.voice.profile import extract_profile, speech_only

PROFILE_RATE_HZ = 16000


def make_clone(footage: Path, consent_path: Path, out_dir: Path, progress: Progress, now: dt.datetime) -> Path:
    out_dir = Path(out_dir)
    if out_dir.exists():
        raise TwincastError(f"{out_dir} already exists", "choose another -o folder or remove the old clone first")
    consent = load_consent(consent_path)
    info = probe_footage(footage)
    require_clone_footage(info)
    with progress.step("checking the consent against the footage"):
        digest = sha256_file(info.path)
    require_consent(consent, digest, None, now.date())

    built = build_clone(info, 0.0, info.duration_s, progress)
    fps = built.clone.fps
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".twincast-build-", dir=out_dir.parent) as tmp:
        with progress.step("cutting the idle loop"):
            closed = np.nan_to_num(built.opening, nan=np.inf) <= built.clone.space.open_threshold
            start, end = choose_loop(built.track.valid, built.speaking, closed, fps)
            base_path = Path(tmp) / "base.mp4"
            built.clone.base_landmarks = write_loop(info, built.track.first_index, start, end, built.track.landmarks, base_path)
        report = make_report(built, fps, progress.warnings)
        png = Path(tmp) / "report.png"
        draw_report(built, fps, report, png)
        built.clone.manifest = {
            "person": consent.person,
            "consent_record_sha256": consent.record_sha256,
            "consent_scope": consent.scope,
            "consent_expires": consent.expires.isoformat(),
            "footage_sha256": digest,
            "footage_name": info.path.name,
            "train_seconds": round(len(built.track.landmarks) / fps, 2),
            "built_at": now.isoformat(timespec="seconds"),
            "twincast_version": __version__,
        }
        with progress.step("measuring the voice (pitch, formants, speaking rate)"):
            audio = load_audio(info.path, PROFILE_RATE_HZ, 0.0, min(info.duration_s, MAX_TRAIN_SECONDS))
            profile = extract_profile(audio, PROFILE_RATE_HZ)
        extra = [profile.save(Path(tmp))]
        if profile.usable:
            # Made here so a room never stops mid-line to measure an engine (voice.plan_file), and
            # here only is the person's speech at hand to choose each plan's resynthesis on.
            with progress.step("matching the Mandarin and English voices to the person's"):
                stored = measure_plans(profile, speech_only(audio, PROFILE_RATE_HZ))
                extra.append(save_plans(stored, Path(tmp)))
        else:
            progress.warn(f"voice profile not usable ({profile.reason}): the clone speaks with the engine's own voice")
        report["voice"] = {"usable": profile.usable, "reason": profile.reason, "f0_median_hz": profile.f0_median_hz, "syllables_per_s": profile.syllables_per_s}
        if profile.usable:
            report["voice"]["resynthesis"] = {lang: {"chosen": plan.resynthesis, "similarity": stored.similarity.get(lang, {})} for lang, plan in stored.plans.items()}
        built.clone.save(out_dir, base_path, report, png, extra_files=tuple(extra))
    return out_dir
