"""A learned second opinion on what a chat message asks.

The keyword rules (intent.py) are exact where a keyword matches, but they learn each new way of saying
a thing only when someone writes it down: on sets written blind half of their misses had no keyword at
all ("still avail?", "kc还有没", "whats the damage on a box") and fell to off-topic. This model reads the
message as a bag of n-grams — Chinese characters 1-3, their toneless pinyin 1-2 (homophone typos),
English words 1-2 and the 3-letter pieces inside them (typos, slang) — hashed into BUCKETS features,
and a linear softmax over the 12 intents. It is trained on the labelled viewer messages in the
repository (`python -m twincast.commerce.intent_model --train FILES --catalog CATALOG`), with the
catalogue's product names taken out first so that it learns what is asked, not about what. Its weights
ship in the package (float16, ~0.5 MB compressed): nothing is downloaded, and a message is scored in
well under a millisecond. answer.py decides where it may speak (MODEL_FALLBACK_P, MODEL_OVERRIDE_P);
it never overrules the rules' "unsafe"."""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import zlib
from functools import cache
from pathlib import Path

import numpy as np
from pypinyin import lazy_pinyin

from twincast.commerce.intent import INTENTS, normalise

BUCKETS = 1 << 16
WEIGHTS = Path(__file__).with_name("intent_ngrams.npz")
L2 = 3e-6  # weight decay, by 4-fold cross-validation on the training sets (1e-3 to 1e-5 underfit)
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_WORD = re.compile(r"[a-z][a-z']*|\d+(?:\.\d+)?")


def ngrams(text: str) -> list[str]:
    """The message's features as strings; `text` has the product names taken out already."""
    t = normalise(text)
    out: list[str] = []
    for run in _CJK_RUN.findall(t):
        out += [f"c{n}:{run[i:i + n]}" for n in (1, 2, 3) for i in range(len(run) - n + 1)]
        syllables = lazy_pinyin(run)
        out += [f"p:{s}" for s in syllables] + [f"p2:{a}_{b}" for a, b in zip(syllables, syllables[1:])]
    words = ["#" if w[0].isdigit() else w for w in _WORD.findall(t)]
    out += [f"w:{w}" for w in words] + [f"w2:{a}_{b}" for a, b in zip(words, words[1:])]
    for w in words:
        padded = f"<{w}>"
        out += [f"l:{padded[i:i + 3]}" for i in range(len(padded) - 2)]
    if "?" in t or "？" in t:
        out.append("mark:?")
    if not words and not _CJK_RUN.search(t):
        out.append("empty")  # emoji or punctuation only
    return out


def hashed(text: str) -> np.ndarray:
    """The buckets the message's features hash to, each once; a message's score is their sum over sqrt(count)."""
    return np.unique(np.fromiter((zlib.crc32(f.encode()) % BUCKETS for f in ngrams(text)), np.int64))


class IntentModel:
    def __init__(self, weights: np.ndarray, bias: np.ndarray) -> None:
        self.weights = weights.astype(np.float32)  # BUCKETS x len(INTENTS)
        self.bias = bias.astype(np.float32)

    def probabilities(self, text: str) -> np.ndarray:
        idx = hashed(text)
        z = self.bias + (self.weights[idx].sum(axis=0) / np.sqrt(max(1, len(idx))) if len(idx) else 0)
        e = np.exp(z - z.max())
        return e / e.sum()

    def predict(self, text: str) -> tuple[str, float]:
        p = self.probabilities(text)
        k = int(p.argmax())
        return INTENTS[k], float(p[k])


@cache
def load() -> IntentModel | None:
    """The shipped model; None when the file is missing (the rules answer alone)."""
    if not WEIGHTS.exists():
        return None
    with np.load(WEIGHTS) as z:
        return IntentModel(z["weights"], z["bias"])


def _design(texts: list[str]):  # noqa: ANN202 - scipy.sparse.csr_matrix
    from scipy.sparse import csr_matrix

    rows, cols, vals = [], [], []
    for r, text in enumerate(texts):
        idx = hashed(text)
        rows += [r] * len(idx)
        cols += idx.tolist()
        vals += [1.0 / np.sqrt(max(1, len(idx)))] * len(idx)
    return csr_matrix((vals, (rows, cols)), shape=(len(texts), BUCKETS), dtype=np.float64)


def train(texts: list[str], labels: list[str], l2: float = L2) -> IntentModel:
    """Softmax regression with L2, fitted by L-BFGS (deterministic: the same rows give the same weights)."""
    from scipy.optimize import minimize

    x = _design(texts)
    y = np.array([INTENTS.index(label) for label in labels])
    n, k = x.shape[0], len(INTENTS)
    onehot = np.zeros((n, k))
    onehot[np.arange(n), y] = 1.0

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[:-k].reshape(BUCKETS, k), theta[-k:]
        z = x @ w + b
        z -= z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        p = np.exp(logp)
        value = -(onehot * logp).sum() / n + 0.5 * l2 * (w * w).sum()
        g = (p - onehot) / n
        grad_w = np.asarray(x.T @ g) + l2 * w
        return value, np.concatenate([grad_w.ravel(), g.sum(axis=0)])

    result = minimize(loss, np.zeros(BUCKETS * k + k), jac=True, method="L-BFGS-B", options={"maxiter": 500})
    theta = result.x
    return IntentModel(theta[:-k].reshape(BUCKETS, k), theta[-k:])


def training_rows(files: list[Path], catalog_file: Path) -> tuple[list[str], list[str]]:
    """(message with the catalogue's product names taken out, intent) for every labelled row."""
    from twincast.commerce import product_match
    from twincast.commerce.model import Catalog

    catalog = Catalog.model_validate(json.loads(catalog_file.read_text(encoding="utf-8")))
    index = product_match.index_for(catalog)
    texts, labels = [], []
    for f in files:
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                texts.append(index.strip_names(row["message"]))
                labels.append(row["intent"])
    return texts, labels


def data_digest(files: list[Path]) -> str:
    h = hashlib.sha256()
    for f in sorted(files, key=lambda p: p.name):
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def save(model: IntentModel, files: list[Path], path: Path = WEIGHTS) -> None:
    np.savez_compressed(path, weights=model.weights.astype(np.float16), bias=model.bias.astype(np.float32),
                        intents=np.array(INTENTS), data_sha256=np.array(data_digest(files)),
                        files=np.array(sorted(f.name for f in files)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the chat intent model on labelled viewer messages.")
    parser.add_argument("--train", nargs="+", type=Path, required=True, help="JSONL files of {message, current_sku, intent, product}")
    parser.add_argument("--catalog", type=Path, required=True, help="the catalogue the messages were written against")
    parser.add_argument("-o", "--output", type=Path, default=WEIGHTS)
    args = parser.parse_args(argv)
    texts, labels = training_rows(args.train, args.catalog)
    model = train(texts, labels)
    save(model, args.train, args.output)
    print(f"{len(texts)} messages -> {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
