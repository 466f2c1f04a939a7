"""Check of the viewer-message answerer on sets written independently of the classifier.

Each tests/data/viewer_messages_*.jsonl here was written blind: its author did not read intent.py,
product_match.py, answer.py, the model or any other set. viewer_messages_heldout.jsonl and
viewer_messages_test.jsonl each served as a held-out set until the keyword rules were generalised
against its misses; viewer_messages_blind3.jsonl was measured once. All three, the tuning set and the
viewer_messages_train_*.jsonl sets (written for training) are the learned model's training data
(intent_model.py): their figures are not out-of-sample estimates. Do not edit rows to make a change pass.

viewer_messages_blind4.jsonl, viewer_messages_blind5.jsonl (360 rows each) and viewer_messages_blind6.jsonl
(400) are still BLIND: written the same way, never tuned or trained on (the model's weight decay and
thresholds were chosen by cross-validation on its training sets). Do not tune or train on them; when one
has been used for development, say so here and in the model's training list, and write a fresh one.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from twincast.commerce.ad_guard import check as ad_check
from twincast.commerce.answer import answer
from twincast.commerce.fact_check import verify_facts, verify_text
from twincast.commerce.model import Catalog

DATA = Path(__file__).parent / "data"
# Intent accuracy while each set was held out, and after the rules were generalised using it:
#   viewer_messages_heldout.jsonl: 217/267 = 81.3 % (zh 80.2 %, en 82.9 %) blind; 267/267 = 100.0 % after.
#   viewer_messages_test.jsonl: 246/277 = 88.8 % (zh 89.2 %, en 88.3 %) blind; 277/277 = 100.0 % after.
#   viewer_messages_blind3.jsonl: 282/346 = 81.5 % (zh 83.7 %, en 78.5 %) blind, rules only, 2026-11-26;
#     87.6 % with the model trained on the other three sets; then the model was trained on it too.
#   viewer_messages_blind4.jsonl: rules only 279/360 = 77.5 %; rules + model trained on 1,355 rows 84.7 %,
#     on 2,675 rows 92.2 %, on 4,475 rows (cross-validated settings) 349/360 = 96.9 % (zh 96.0 %, en 98.1 %).
#   viewer_messages_blind5.jsonl: rules only 79.7 %; rules + model on 2,675 rows 91.7 %, on 4,475 rows
#     350/360 = 97.2 % (zh 96.9 %, en 97.6 %).
#   viewer_messages_blind6.jsonl: rules only 80.5 %; rules + model on 4,475 rows 386/400 = 96.5 % (zh 97.2 %,
#     en 95.6 %; 95.8 % on the 313 rows whose message is in no training set), measured once, 2026-11-26.
# The floors leave a few messages of slack: regression floors, not targets.
INTENT_ACCURACY_FLOOR = {"viewer_messages_heldout.jsonl": 0.95, "viewer_messages_test.jsonl": 0.95,
                         "viewer_messages_blind3.jsonl": 0.95, "viewer_messages_blind4.jsonl": 0.95,
                         "viewer_messages_blind5.jsonl": 0.95, "viewer_messages_blind6.jsonl": 0.95}
_CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")


@pytest.mark.parametrize("filename", sorted(INTENT_ACCURACY_FLOOR))
def test_heldout_viewer_messages(filename: str) -> None:
    catalog = Catalog.model_validate(json.loads((DATA / "answer_catalog.json").read_text(encoding="utf-8")))
    lines = (DATA / filename).read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    # (a) the set's own shape is checked for every labelled file in test_intent_model.py

    # (b) no wrong facts and no banned terms in any answer; (c) intent accuracy floor
    correct = 0
    problems: list[str] = []
    misses: list[str] = []
    for row in rows:
        a = answer(catalog, row["message"], row["current_sku"])
        for p in verify_facts(a.facts, catalog) + verify_text(a.text, a.facts):
            problems.append(f"{row['message']!r}: {p} (text {a.text!r})")
        for field in ("text", "speak"):
            text = getattr(a, field, None)
            if isinstance(text, str) and text:
                guard = ad_check(text, "zh" if _CJK.search(text) else "en")
                if guard.changes or guard.dropped:
                    problems.append(f"{row['message']!r}: banned terms in .{field} {text!r}: {guard.changes}")
        if a.intent == row["intent"]:
            correct += 1
        else:
            misses.append(f"{row['message']!r}: expected {row['intent']}, got {a.intent}")
    assert not problems, "\n".join(problems)
    accuracy = correct / len(rows)
    assert accuracy >= INTENT_ACCURACY_FLOOR[filename], f"intent accuracy {accuracy:.1%} < floor; misses:\n" + "\n".join(misses)
