"""The synthetic presenter with its consent record: footage the project makes
itself, for the demo, the benchmarks and the tests that need a clone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from twincast.media.footage import sha256_file
from twincast.testing.synthetic_footage import make_talking_footage
from twincast.trust.consent import create_consent, save_consent

SYNTHETIC_PERSON = "Synthetic presenter (public-domain NASA portrait, animated by twincast)"


def make_consented_presenter(folder: Path, now: dt.datetime, name: str = "presenter", **footage_options) -> tuple[Path, Path]:
    """(footage, consent) in folder: the clip, and a consent bound to it for a year."""
    folder = Path(folder)
    footage = folder / f"{name}.mp4"
    make_talking_footage(footage, **footage_options)
    consent = folder / f"{name}.consent.json"
    record = create_consent(SYNTHETIC_PERSON, sha256_file(footage), ["live", "video"], now.date() + dt.timedelta(days=365), SYNTHETIC_PERSON, now)
    save_consent(record, consent)
    return footage, consent
