"""The depicted person's consent, bound to the exact footage by its SHA-256.

No clone is built, and no clone renders, without a record that names the
person, the uses they agreed to, an expiry, and the hash of the footage they
agreed to be cloned from (Deep Synthesis Provisions Art. 14; PIPL Art. 29).
The record carries a digest of its own content so an edit is detected.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError, field_validator

from twincast.errors import TwincastError

SCOPES = ("live", "video")


class ConsentRecord(BaseModel):
    person: str = Field(min_length=1)
    footage_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    scope: list[str]
    expires: dt.date
    signed_by: str = Field(min_length=1)
    created_at: dt.datetime
    statement: str
    record_sha256: str = ""

    @field_validator("scope")
    @classmethod
    def _known_scopes(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(SCOPES))
        if unknown or not value:
            raise ValueError(f"scope must be one or more of {', '.join(SCOPES)} (got {', '.join(value) or 'nothing'})")
        return sorted(set(value))

    def content_digest(self) -> str:
        body = self.model_dump(mode="json", exclude={"record_sha256"})
        return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def create_consent(person: str, footage_sha256: str, scope: list[str], expires: dt.date, signed_by: str, now: dt.datetime) -> ConsentRecord:
    if expires <= now.date():
        raise TwincastError(f"the expiry date {expires} is not in the future", "give --expires a later date, e.g. 2027-12-31")
    record = ConsentRecord(
        person=person,
        footage_sha256=footage_sha256,
        scope=scope,
        expires=expires,
        signed_by=signed_by,
        created_at=now,
        statement=(
            f"{person} agrees that twincast may build a digital clone of their face and voice from the footage "
            f"with SHA-256 {footage_sha256} and use it for: {', '.join(sorted(set(scope)))}, until {expires}. "
            "Every output is labelled as AI-generated. Consent can be withdrawn at any time."
        ),
    )
    record.record_sha256 = record.content_digest()
    return record


def save_consent(record: ConsentRecord, path: Path) -> None:
    Path(path).write_text(record.model_dump_json(indent=2) + "\n", encoding="utf-8")


def load_consent(path: Path) -> ConsentRecord:
    path = Path(path)
    if not path.exists():
        raise TwincastError(f"consent file {path} not found", "record it first with `twincast consent create`")
    try:
        record = ConsentRecord.model_validate_json(path.read_text(encoding="utf-8"))
    except (ValidationError, ValueError, UnicodeDecodeError) as exc:
        first = exc.errors()[0] if isinstance(exc, ValidationError) else None
        where = f" ({'.'.join(map(str, first['loc']))}: {first['msg']})" if first else ""
        raise TwincastError(f"{path} is not a valid consent record{where}", "record a new one with `twincast consent create`") from None
    if record.record_sha256 != record.content_digest():
        raise TwincastError(f"{path} was edited after it was recorded (its digest does not match)", "record a new consent with `twincast consent create`")
    return record


def require_consent(record: ConsentRecord, footage_sha256: str, use: str | None, today: dt.date) -> None:
    """use: 'live' or 'video', or None when any agreed use will do (building the clone)."""
    if record.footage_sha256 != footage_sha256:
        raise TwincastError(
            f"the consent of {record.person} covers other footage (SHA-256 {record.footage_sha256[:12]}…, this file is {footage_sha256[:12]}…)",
            "record consent for exactly this file with `twincast consent create --footage FILE`",
        )
    if record.expires < today:
        raise TwincastError(f"the consent of {record.person} expired on {record.expires}", "ask the person to renew it with `twincast consent create`")
    if use is not None and use not in record.scope:
        raise TwincastError(f"the consent of {record.person} does not cover '{use}' (only {', '.join(record.scope)})", "record a consent whose --scope includes it")
