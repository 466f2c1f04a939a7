"""Intent accuracy of the chat answerer on every labelled set: the keyword rules alone (the baseline) and
the rules with the learned model (commerce/intent_model.py), in the same run.

    .venv/bin/python bench/bench_intent.py

One JSON line per set in tests/data/viewer_messages*.jsonl: rows, accuracy overall and per language for
both, whether the model was trained on that set (its figure is then in-sample), and wrong facts or banned
terms in the answers (must be 0). The sets the model was not trained on are the honest figures, and of
them most honestly the rows whose message is in no training set (`unseen_accuracy`)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT / "tests" / "data"
_CJK = re.compile(r"[\u3400-\u9fff]")


def main() -> int:
    import numpy as np

    from twincast.commerce import intent_model
    from twincast.commerce.ad_guard import check as ad_check
    from twincast.commerce.answer import answer
    from twincast.commerce.fact_check import verify_facts, verify_text
    from twincast.commerce.model import Catalog

    catalog = Catalog.model_validate(json.loads((DATA / "answer_catalog.json").read_text(encoding="utf-8")))
    shipped = intent_model.load
    with np.load(intent_model.WEIGHTS) as z:
        trained_on = {str(f) for f in z["files"]}
    # Short messages ("包邮吗", "price pls") recur across sets; "unseen" counts only the others.
    trained_messages = {json.loads(line)["message"].strip().lower() for name in trained_on
                        for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()}
    for path in sorted(DATA.glob("viewer_messages*.jsonl")):
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        result: dict = {"set": path.name, "rows": len(rows), "model_trained_on_it": path.name in trained_on}
        for mode, load in (("rules", lambda: None), ("rules_and_model", shipped)):
            intent_model.load = load
            right = {"zh": 0, "en": 0}
            seen = {"zh": 0, "en": 0}
            problems = 0
            unseen = [0, 0]  # right, rows
            for row in rows:
                a = answer(catalog, row["message"], row["current_sku"])
                problems += len(verify_facts(a.facts, catalog) + verify_text(a.text, a.facts))
                guard = ad_check(a.text, "zh" if _CJK.search(a.text) else "en") if a.text else None
                problems += bool(guard and (guard.changes or guard.dropped))
                lang = "zh" if _CJK.search(row["message"]) else "en"
                seen[lang] += 1
                right[lang] += a.intent == row["intent"]
                if row["message"].strip().lower() not in trained_messages:
                    unseen[0] += a.intent == row["intent"]
                    unseen[1] += 1
            result[mode] = {"accuracy": round(sum(right.values()) / len(rows), 3),
                            **{lang: round(right[lang] / seen[lang], 3) for lang in seen if seen[lang]},
                            "unseen_rows": unseen[1], "unseen_accuracy": round(unseen[0] / unseen[1], 3) if unseen[1] else None,
                            "fact_or_banned_problems": problems}
        intent_model.load = shipped
        print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
