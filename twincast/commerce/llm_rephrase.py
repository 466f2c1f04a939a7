"""Optional: let an LLM reword a template answer so the room sounds less canned.

Any OpenAI-compatible server (`POST {base}/v1/chat/completions`: Qwen, DeepSeek, Ollama, vLLM,
llama.cpp) may be used; none is required, and none is ever trusted. The model sees the template
answer and its facts and is told to reword only; whatever comes back is fact-checked like a template
(every number and claim must be in the cited facts) and otherwise discarded, as is any failure,
timeout or odd reply. The template then stands: a slow or wrong model costs variety, never a fact.

The viewer's message is deliberately not sent: an injection ("ignore previous instructions") cannot
reach a model that never sees it."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import urllib.error
import urllib.request
from dataclasses import dataclass

from twincast.commerce import fact_check
from twincast.commerce.model import Catalog

log = logging.getLogger(__name__)

MAX_GROWTH = 2.5  # a rewording 2.5x longer than the template is adding things, not rewording
MAX_BODY = 256 * 1024

SYSTEM_PROMPT = {
    "zh": (
        "你是直播间主播的措辞助手。把给定的回复换一种自然、口语的说法，只改措辞。"
        "严格规则：只能使用给定事实里的数字、价格、库存、日期和说法；不得新增任何数字、优惠、赠品、包邮、"
        "退换、保修或时间承诺；不得使用最、第一、唯一、全网、绝对等绝对化用语；不超过两句话；"
        "只输出改写后的回复本身，不加引号或解释。"
    ),
    "en": (
        "You reword a live-stream host's reply. Say the same thing in a natural, spoken way; change wording only. "
        "Strict rules: use only numbers, prices, stock, dates and claims found in the given facts; add no number, "
        "discount, gift, free shipping, return, warranty or timing promise; no superlatives (best, lowest, "
        "number one, only, guaranteed); at most two sentences; output the reworded reply only, no quotes or notes."
    ),
}


@dataclass
class Rephraser:
    base_url: str  # e.g. http://127.0.0.1:8000 (the /v1/chat/completions path is added)
    model: str = "default"
    timeout_s: float = 3.0
    key_env: str | None = None  # the API key is read from this environment variable, never stored
    temperature: float = 0.3

    def rephrase(self, text: str, facts: list[fact_check.Fact], lang: str) -> str | None:
        """The model's rewording, or None on any failure (logged)."""
        facts_text = "\n".join(f"- {f.field}: {f.value}" for f in facts)
        user = f"Facts:\n{facts_text}\n\nReply to reword ({lang}):\n{text}"
        body = json.dumps({
            "model": self.model,
            "temperature": self.temperature,
            "max_tokens": 200,
            "messages": [{"role": "system", "content": SYSTEM_PROMPT[lang]}, {"role": "user", "content": user}],
        }).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(self.key_env) if self.key_env else None
        if key:
            headers["Authorization"] = f"Bearer {key}"
        url = self.base_url.rstrip("/") + "/v1/chat/completions"
        try:
            req = urllib.request.Request(url, data=body, headers=headers, method="POST")
            with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:
                raw = resp.read(MAX_BODY + 1)
            if len(raw) > MAX_BODY:
                raise ValueError("reply too large")
            content = json.loads(raw)["choices"][0]["message"]["content"]
        except (OSError, urllib.error.URLError, ValueError, KeyError, IndexError, TypeError) as e:
            log.warning("LLM rephrase at %s failed (%s); the template answer stands", url, e)
            return None
        if not isinstance(content, str):
            return None
        return content.strip().strip("\"'“”「」").strip() or None


def accept(candidate: str | None, template: str, facts: list[fact_check.Fact], catalog: Catalog) -> list[str]:
    """Why a rewording may not be spoken (empty: it may)."""
    if not candidate:
        return ["no rewording"]
    if len(candidate) > MAX_GROWTH * max(len(template), 20):
        return [f"rewording is {len(candidate)} characters for a {len(template)}-character answer"]
    return fact_check.check(candidate, facts, catalog)


def apply(answer, catalog: Catalog, message: str, rephraser: Rephraser):  # noqa: ANN001, ANN201
    """The answer with the model's wording when it passes the fact check, else unchanged."""
    if not answer.speak or not answer.facts:
        return answer
    candidate = rephraser.rephrase(answer.text, answer.facts, answer.lang)
    problems = accept(candidate, answer.text, answer.facts, catalog)
    if problems:
        if candidate:
            log.info("LLM rewording rejected (%s): %r", "; ".join(problems), candidate)
        return answer
    return dataclasses.replace(answer, text=candidate, source="llm")
