"""Shared fixtures: footage the suite makes itself (no real person's clip is needed)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from twincast.media.footage import sha256_file
from twincast.testing.synthetic_footage import make_talking_footage
from twincast.trust.consent import create_consent, save_consent

SHARED_FOOTAGE = Path(__file__).resolve().parents[1].parent / "shared" / "footage"
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc)


def record_consent(footage: Path, out: Path, scope=("live", "video"), expires=dt.date(2027, 12, 31)) -> Path:
    record = create_consent("Test Presenter", sha256_file(footage), list(scope), expires, "Test Presenter", NOW)
    save_consent(record, out)
    return out


@pytest.fixture(scope="session")
def footage(tmp_path_factory) -> tuple[Path, object]:
    """20 s of the synthetic presenter talking, with its ground truth."""
    path = tmp_path_factory.mktemp("footage") / "presenter.mp4"
    truth = make_talking_footage(path, seconds=20.0, fps=25, size=512, seed=3)
    return path, truth


@pytest.fixture(scope="session")
def consent(footage, tmp_path_factory) -> Path:
    return record_consent(footage[0], tmp_path_factory.mktemp("consent") / "consent.json")


@pytest.fixture(scope="session")
def clone_dir(footage, consent, tmp_path_factory) -> Path:
    from twincast.clone.make import make_clone
    from twincast.progress import Progress

    out = tmp_path_factory.mktemp("clones") / "presenter"
    return make_clone(footage[0], consent, out, Progress(enabled=False), NOW)


def shared_clip(name: str) -> Path:
    path = SHARED_FOOTAGE / name
    if not path.exists():
        pytest.skip(f"{path} is absent (evaluation footage is optional)")
    return path


@pytest.fixture()
def llm():
    """A fake OpenAI-compatible chat server on 127.0.0.1 (fake_llm_server.FakeLLM)."""
    from fake_llm_server import FakeLLM

    server = FakeLLM()
    yield server
    server.shutdown()
    server.server_close()
