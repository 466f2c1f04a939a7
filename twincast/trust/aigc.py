"""The implicit label: the AIGC metadata JSON written into every MP4 (GB 45438 Annex E/F)."""

from __future__ import annotations

import json
import re
import uuid

PRODUCER = "twincast"
_ALLOWED = re.compile(r"^[\x21\x23-\x5B\x5D-\x7E]*$")  # no space, quote or backslash


def aigc_json(propagator: str = "") -> str:
    fields = {
        "Label": "1",
        "ContentProducer": PRODUCER,
        "ProduceID": uuid.uuid4().hex,  # unique per file
        "ReservedCode1": "",
        "ContentPropagator": propagator,
        "PropagateID": "",
        "ReservedCode2": "",
    }
    for key, value in fields.items():
        if not _ALLOWED.match(value):
            raise ValueError(f"AIGC field {key} has characters the standard does not allow: {value!r}")
    return json.dumps({"AIGC": fields}, separators=(",", ":"))
