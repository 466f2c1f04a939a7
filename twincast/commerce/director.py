"""The run-of-show director: what the clone says next, product by product, and how it answers the room.

    d = Director(catalog, "zh", clock_seconds, wall=clock.wall, pinned_sku=None, schedule=[(0, "CUP-316-500")])
    d.next_script_line()   # the room is idle: the next line of the pitch (or None: nothing new to say)
    d.on_event(ev)         # a question -> [Line(priority "chat", reply=True)] at once; gifts/enters buffered
    d.tick()               # ~1/s: due thank-you / greeting batches; the product time box
    d.interrupted(line, n) # the room cut a script line after n characters: the rest comes back first

Decisions (each has a test in tests/test_director.py):
- Segments per product, in order: hook, selling_points, specs (+ shipping), price, coupon, cta, faq
  (the catalogue's own FAQ, asked and answered before viewers need to). `segment_s` boxes the whole
  product; when it ends the director moves to the next product in catalogue order even mid-pitch
  (a live room keeps moving; the next pass comes round). Inside the box the segments loop.
- Which product: pinned (operator) > schedule > rotation. A schedule is [(seconds since the director
  started, sku)], each entry holding its product until the next entry; an entry with sku None or ""
  hands back to rotation. Products with stock 0 are never pitched; the first time one would have
  come up (in rotation, pinned or scheduled) the director says once that it is sold out, and a
  held sold-out product falls back to rotation.
- No sentence repeated within REPEAT_WINDOW_S (10 min): lines are split into sentences, normalised
  (case, spaces, punctuation) and remembered with the time; a draft with any recent sentence is not
  used, another variant is tried, and when all are used the slot is skipped. When a whole pass of a
  product finds nothing new, rotation moves on early; a pinned or scheduled product goes quiet
  (None) rather than repeat. Answers to viewers are exempt (a viewer who asks again is answered
  again); thank-yous and greetings follow the rule.
- Price reveal (list price -> price) only when list_price exists and is higher; a coupon only while
  `Coupon.active(wall())`. The director never reads wall time: without `wall` a coupon with an expiry
  cannot be known valid and is not pushed (one without an expiry is). Every script line is checked by
  fact_check against the facts it cites and by the ad-law guard; what either rejects is not said.
- Priorities (Line.priority, PRIORITY for the room's queue): chat > gift > follow > enter > script.
  A question is answered before any thanks; thanks batches wait for the room to be free of answers.
- A question about another product does not change current_sku: the run-of-show (and the cart link
  the operator pinned on the platform) stays in step with the schedule, and a chat flood cannot
  steer the show. The answer names its product; status() counts asks per SKU for the operator.
- Replies: an answer to a viewer's message is a reply turn (reply=True: the room prepends the audio
  AI disclosure). Thank-you and greeting batches are announcements to the room (reply=False).
- Chat flood: a user is answered at most once per `question_cooldown_s`, the same question (normalised)
  once per DUPLICATE_WINDOW_S, at most `max_answers_per_min` answers, and chatter (greeting/offtopic
  intents) at most once per CHATTER_GAP_S. Gifts/follows/enters: at most `max_pending` users pending
  per kind (the oldest is dropped, and counted), one batch per kind per `batch_s` after the first
  event waited GATHER_S, a user thanked for a kind in the last `thank_cooldown_s` is not thanked again,
  a gift worth >= `big_gift_value` is thanked on its own at the next tick.
- Names said aloud are sanitised (safe_name): URLs, emoji, symbols and controls removed, 12 characters
  at most, and a name with a contact number, an abuse-list word or anything the ad-law guard would
  rewrite is not said at all (the person is still counted: "等 5 位朋友").
- interrupted(): the rest after the last completed sentence is offered before any new script line,
  if the product is still the same and it was cut less than RESUME_MAX_AGE_S ago; sentences never
  spoken are forgotten by the repeat rule.
- Optional `rephrase_fn(text, facts, lang) -> str | None` (an LLM): asked only when every template of a
  slot is used; its text must pass the same fact check, guard and repeat rule. It is called inline:
  give it a short timeout (llm_rephrase.Rephraser has 3 s), or leave it out."""

from __future__ import annotations

import bisect
import datetime as dt
import importlib
import random
import re
import unicodedata
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Callable

from twincast.chat.events import ChatEvent
from twincast.commerce import fact_check, show_templates as tpl
from twincast.commerce.model import Catalog, Product

REPEAT_WINDOW_S = 600.0
MAX_HISTORY = 4000  # sentences remembered (a line every 2 s for 10 min is 300 lines: ample)
RESUME_MAX_AGE_S = 60.0  # a remainder older than this is stale (the room answered for a minute)
QUIET_RETRY_S = 5.0  # a held product with nothing new: look again after this (the room asks every frame)
GATHER_S = 5.0  # a batch waits this long after its first event so that it is a batch
NAMES_SHOWN = 2  # "感谢小王、Amy 等 5 位朋友"
MAX_NAME_CHARS = 12
DUPLICATE_WINDOW_S = 60.0
CHATTER_GAP_S = 20.0
CHATTER_INTENTS = frozenset({"greeting", "offtopic", "gift_thanks"})
BATCH_KINDS = ("gift", "follow", "enter")
PRIORITY = {"chat": 4, "gift": 3, "follow": 2, "enter": 1, "script": 0}
_SEGMENT_OF = {"gift": "thanks", "follow": "thanks", "enter": "greeting"}


@dataclass(slots=True)
class Line:
    text: str
    priority: str  # "script" | "chat" | "gift" | "follow" | "enter" (PRIORITY orders them)
    sku: str | None
    segment: str  # hook | selling_points | specs | price | coupon | cta | faq | sold_out | answer | thanks | greeting
    reply: bool  # a reply turn to a viewer (the room prepends the audio AI disclosure)
    resumable: bool  # a script line: if interrupted, the director re-offers its unspoken remainder


# --- sentences ------------------------------------------------------------------------------------

# A sentence ends at 。！？!?；;… (runs of them), or at "." before a space or the end (89.9 and 18/8 stay
# whole); closing quotes and the spaces after belong to the sentence they close.
_END = re.compile(r"(?:[。！？!?；;…]+|\.(?=\s|$))[”’\"')）】」』]*\s*")
_NOT_WORD = re.compile(r"[\W_]+")
_KEYS_CACHE = 4096  # drafts are re-checked every pass: their sentence keys are computed once


def sentence_ends(text: str) -> list[int]:
    """Offsets just after each sentence, the last one len(text)."""
    ends = [m.end() for m in _END.finditer(text)]
    if not ends or ends[-1] != len(text):
        ends.append(len(text))
    return ends


def sentences(text: str) -> list[str]:
    out, start = [], 0
    for end in sentence_ends(text):
        if text[start:end].strip():
            out.append(text[start:end])
        start = end
    return out


def _norm(sentence: str) -> str:
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", sentence).casefold())


class RepeatGuard:
    """Normalised sentences with the time they were said; bounded, oldest forgotten first."""

    def __init__(self, window_s: float = REPEAT_WINDOW_S, capacity: int = MAX_HISTORY) -> None:
        self.window_s, self.capacity = window_s, capacity
        self._said: OrderedDict[str, float] = OrderedDict()
        self._keys: OrderedDict[str, tuple[str, ...]] = OrderedDict()

    def keys(self, text: str) -> tuple[str, ...]:
        keys = self._keys.get(text)
        if keys is None:
            keys = tuple(k for k in (_norm(s) for s in sentences(text)) if k)
            self._keys[text] = keys
            if len(self._keys) > _KEYS_CACHE:
                self._keys.popitem(last=False)
        return keys

    def recent(self, text: str, now: float) -> bool:
        for key in self.keys(text):
            t = self._said.get(key)
            if t is not None and now - t < self.window_s:
                return True
        return False

    def record(self, text: str, now: float) -> dict[str, float | None]:
        """Remember every sentence; returns what each was before (to undo sentences never spoken)."""
        before: dict[str, float | None] = {}
        for key in self.keys(text):
            before.setdefault(key, self._said.get(key))
            self._said.pop(key, None)
            self._said[key] = now
        while len(self._said) > self.capacity:
            self._said.popitem(last=False)
        while self._said:
            key, t = next(iter(self._said.items()))
            if now - t < self.window_s:
                break
            self._said.popitem(last=False)  # insertion order is time order: stale ones are in front
        return before

    def undo(self, sentence: str, before: float | None, said_at: float) -> None:
        key = _norm(sentence)
        if self._said.get(key) != said_at:
            return  # said again since: that one stands
        if before is None:
            self._said.pop(key, None)
        else:
            self._said[key] = before
            self._said.move_to_end(key, last=False)  # older than the rest; pruning only looks at the front

    def __len__(self) -> int:
        return len(self._said)


# --- names ----------------------------------------------------------------------------------------

_URL = re.compile(r"(?:https?://|www\.)\S*|[\w-]+(?:\.[\w-]+)*\.(?:com|cn|net|org|io|cc|me|top|xyz|vip|shop|tv|co|app|link)\b\S*", re.I)
_CONTACT = re.compile(r"\d{5,}")  # a phone, QQ or WeChat number is an ad, not a name
_NAME_PUNCT = set(" _-.·")
# Abuse and impersonation: a name the clone must not read out ("感谢官方客服的礼物" misleads). Compared
# casefolded with spaces removed; short on purpose: the guard and the platform's own filter do the rest.
ABUSE = (
    "傻逼", "煞笔", "sb", "操你", "草泥马", "妈的", "尼玛", "去死", "滚", "垃圾", "骗子", "婊", "屌",
    "微信", "加v", "加微", "vx", "wx", "qq", "私聊", "代购", "兼职", "赌", "博彩", "色情",
    "官方", "客服", "管理员", "主播", "平台", "抖音", "快手",
    "fuck", "shit", "bitch", "cunt", "nigg", "fag", "whore", "porn", "sex", "kill",
    "admin", "official", "moderator", "support", "staff", "http", "www",
)


def safe_name(name: str, lang: str, guard_fn: Callable | None = None) -> str | None:
    """A viewer's name as it may be said aloud, or None when it must not be said."""
    s = _URL.sub(" ", unicodedata.normalize("NFKC", name or ""))
    out: list[str] = []
    for ch in s:
        cat = unicodedata.category(ch)
        if cat[0] in "LN" or ch in _NAME_PUNCT:
            out.append(ch)
        elif cat[0] == "M" and out and unicodedata.category(out[-1])[0] == "L":
            out.append(ch)  # one combining mark on a letter (Thai, Devanagari); stacks of them are noise
    clean = " ".join("".join(out).split()).strip("".join(_NAME_PUNCT))
    clean = clean[:MAX_NAME_CHARS].strip("".join(_NAME_PUNCT))
    if not clean or not any(unicodedata.category(c)[0] == "L" for c in clean):
        return None
    folded = clean.casefold().replace(" ", "")
    if _CONTACT.search(folded) or any(word in folded for word in ABUSE):
        return None
    if guard_fn is not None:
        result = guard_fn(clean, lang)
        if result.dropped or result.text != clean:
            return None
    return clean


# --- buffered viewers -----------------------------------------------------------------------------

@dataclass(slots=True)
class _Pending:
    user_id: str
    name: str
    since: float
    gift: str = ""
    count: int = 0
    value: float = 0.0


class _Batch:
    """Users waiting to be thanked or greeted for one kind: bounded, one entry per user."""

    def __init__(self, kind: str, capacity: int) -> None:
        self.kind, self.capacity = kind, capacity
        self.pending: OrderedDict[str, _Pending] = OrderedDict()
        self.last_flush = float("-inf")
        self.dropped = 0

    def add(self, item: _Pending) -> None:
        old = self.pending.get(item.user_id)
        if old is not None:  # the same viewer again (5 gifts in a row): one thank-you
            old.count += item.count
            old.value += item.value
            return
        if len(self.pending) >= self.capacity:
            self.pending.popitem(last=False)  # the oldest goes: the newest viewers are the ones still here
            self.dropped += 1
        self.pending[item.user_id] = item

    def due(self, now: float, batch_s: float) -> bool:
        if not self.pending or now - self.last_flush < batch_s:
            return False
        first = next(iter(self.pending.values()))
        return now - first.since >= GATHER_S or len(self.pending) >= self.capacity


# --- the director ---------------------------------------------------------------------------------

class Director:
    def __init__(
        self,
        catalog: Catalog,
        lang: str,
        now_s: Callable[[], float],
        *,
        segment_s: float = 90.0,
        pinned_sku: str | None = None,
        schedule: list[tuple[float, str | None]] | None = None,
        seed: int = 0,
        answer_fn: Callable | None = None,
        guard_fn: Callable | None = None,
        wall: Callable[[], dt.datetime] | None = None,
        rephrase_fn: Callable | None = None,
        batch_s: float = 20.0,
        max_pending: int = 50,
        thank_cooldown_s: float = 60.0,
        big_gift_value: float = 100.0,
        question_cooldown_s: float = 10.0,
        max_answers_per_min: int = 20,
        coupon_countdown_s: float = 60.0,
    ) -> None:
        if lang not in ("zh", "en"):
            raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
        if segment_s <= 0:
            raise ValueError("segment_s must be positive")
        self.catalog, self.lang, self._now = catalog, lang, now_s
        self.segment_s = segment_s
        self._wall = wall
        self._rng = random.Random(seed)
        self._seed = seed
        self._answer_fn = answer_fn
        self._guard_fn = guard_fn if guard_fn is not None else _default_guard()
        self._rephrase = rephrase_fn
        self.batch_s, self.thank_cooldown_s, self.big_gift_value = batch_s, thank_cooldown_s, big_gift_value
        self.question_cooldown_s, self.max_answers_per_min = question_cooldown_s, max_answers_per_min
        self.coupon_countdown_s = coupon_countdown_s
        self._t0 = now_s()
        self._check_sku(pinned_sku, "pinned_sku")
        self._pinned = pinned_sku
        entries = sorted(schedule or [], key=lambda e: e[0])
        for _, sku in entries:
            self._check_sku(sku or None, "schedule")
        self._sched_t = [float(t) for t, _ in entries]
        self._sched_sku = [sku or None for _, sku in entries]

        self._repeat = RepeatGuard()
        self._sku: str | None = None
        self._started = self._t0
        self._seg = 0  # index into SEGMENTS
        self._slot = 0
        self._slots: list[list[tpl.Draft]] | None = None  # the current segment's slots, built on entry
        self._said_this_pass = 0
        self._segment_name = ""
        self._sold_out_said: set[str] = set()
        self._announce: deque[Line] = deque(maxlen=len(catalog.products))
        self._resume: tuple[Line, float] | None = None
        self._issued: deque[tuple[str, float, dict[str, float | None]]] = deque(maxlen=8)
        self._overlay: dict | None = None
        self._quiet_until = float("-inf")

        self._batches = {k: _Batch(k, max_pending) for k in BATCH_KINDS}
        self._big: deque[_Pending] = deque()
        self._max_big = max(1, max_pending // 5)
        self._thanked: dict[tuple[str, str], float] = {}
        self._asked_by: OrderedDict[str, float] = OrderedDict()  # user -> last answered (bounded)
        self._asked_text: OrderedDict[str, float] = OrderedDict()
        self._answer_times: deque[float] = deque()
        self._last_chatter = float("-inf")

        self.counts = {p: 0 for p in PRIORITY}
        self.drops: dict[str, int] = {"gift": 0, "follow": 0, "enter": 0, "chat_cooldown": 0, "chat_duplicate": 0,
                                      "chat_rate": 0, "chat_chatter": 0, "chat_unspoken": 0}
        self.skips = {"repeat": 0, "guard": 0, "fact_check": 0, "cooldown": 0, "names": 0}
        self.rotations = 0
        self.likes = 0
        self.asks: dict[str, int] = {}

    # --- the product on screen --------------------------------------------------------------------

    @property
    def current_sku(self) -> str | None:
        self._update_product(self._now())
        return self._sku

    def pin(self, sku: str | None) -> None:
        """Hold a product (the operator's choice) or, with None, hand back to schedule / rotation."""
        self._check_sku(sku, "pin")
        self._pinned = sku
        self._update_product(self._now())

    def update_catalog(self, catalog: Catalog) -> None:
        """New stock or prices: the next line uses them; a product now sold out is left at once."""
        self.catalog = catalog
        self._slots = None  # rebuilt from the new facts
        self._quiet_until = float("-inf")
        self._update_product(self._now())

    def _check_sku(self, sku: str | None, what: str) -> None:
        if sku is not None and self.catalog.product(sku) is None:
            raise ValueError(f"{what}: no product with SKU {sku!r} in the catalogue")

    def _product(self) -> Product | None:
        return self.catalog.product(self._sku) if self._sku else None

    def _available(self, sku: str | None) -> bool:
        p = self.catalog.product(sku) if sku else None
        if p is None:
            return False
        if p.stock > 0:
            return True
        self._say_sold_out(p)
        return False

    def _say_sold_out(self, p: Product) -> None:
        if p.sku in self._sold_out_said:
            return
        self._sold_out_said.add(p.sku)
        drafts = tpl.sold_out(p, self.lang)
        text = self._guard(drafts[self._rng.randrange(len(drafts))].text)
        if text is not None:
            self._announce.append(Line(text, "script", p.sku, "sold_out", False, False))

    def _held(self, now: float) -> tuple[str, str | None]:
        if self._pinned is not None:
            if self._available(self._pinned):
                return "pinned", self._pinned
        i = bisect.bisect_right(self._sched_t, now - self._t0) - 1
        if i >= 0 and self._sched_sku[i] is not None:
            if self._available(self._sched_sku[i]):
                return "scheduled", self._sched_sku[i]
        return "rotation", None

    def _mode(self, now: float) -> str:
        return self._held(now)[0]

    def _update_product(self, now: float) -> None:
        mode, sku = self._held(now)
        if sku is not None:
            if sku != self._sku:
                self._switch(sku, now)
            return
        if self._sku is None or not self._available(self._sku) or now - self._started >= self.segment_s:
            self._switch(self._next_in_rotation(), now)

    def _next_in_rotation(self) -> str | None:
        products = self.catalog.products
        start = next((i for i, p in enumerate(products) if p.sku == self._sku), -1)
        for k in range(1, len(products) + 1):
            p = products[(start + k) % len(products)]
            if self._available(p.sku):
                return p.sku
        return None  # everything is sold out

    def _switch(self, sku: str | None, now: float) -> None:
        if sku != self._sku:
            self.rotations += self._sku is not None
            self._resume = None  # the rest of a line about the old product is stale
            self._overlay = None
        self._sku = sku
        self._started = now
        self._seg = self._slot = self._said_this_pass = 0
        self._slots = None
        self._quiet_until = float("-inf")

    # --- the script -------------------------------------------------------------------------------

    def next_script_line(self) -> Line | None:
        now = self._now()
        self._update_product(now)
        if self._announce:
            return self._issue(self._announce.popleft(), now)
        if self._resume is not None:
            line, cut_at = self._resume
            self._resume = None
            if line.sku == self._sku and now - cut_at < RESUME_MAX_AGE_S:
                return self._issue(line, now)
        if now < self._quiet_until:
            return None
        for attempt in range(2):
            line = self._next_of_product(now)
            if line is not None:
                return line
            # a whole pass found nothing new: rotation moves on; a held product goes quiet
            if attempt or self._mode(now) != "rotation":
                self._quiet_until = now + QUIET_RETRY_S
                return None
            nxt = self._next_in_rotation()
            if nxt is None or nxt == self._sku:
                return None
            self._switch(nxt, now)
            if self._announce:
                return self._issue(self._announce.popleft(), now)
        return None

    def _next_of_product(self, now: float) -> Line | None:
        """The next line of the current product's pass; None after a full loop with nothing to say."""
        p = self._product()
        if p is None:
            return None
        segments = tpl.SEGMENTS
        empty_steps = 0
        # bounded: every segment and slot at most once per call, plus one wrap to the next pass
        for _ in range(2 * (len(segments) + tpl.MAX_POINTS + tpl.MAX_FAQ + len(p.specs) + 4)):
            if self._slots is None:
                self._segment_name = segments[self._seg]
                self._slots = tpl.segment_slots(self._segment_name, p, self.catalog.currency, self.lang,
                                                coupon_on=self._coupon_on(p))
                self._slot = 0
            if self._slot >= len(self._slots):
                self._slots = None
                self._seg += 1
                if self._seg >= len(segments):  # end of a pass: the next one starts at the hook
                    self._seg = 0
                    if self._said_this_pass == 0:
                        return None
                    self._said_this_pass = 0
                continue
            drafts = self._slots[self._slot]
            self._slot += 1
            line = self._choose(drafts, p, self._segment_name, now)
            if line is None:
                empty_steps += 1
                continue
            self._said_this_pass += 1
            if self._segment_name == "coupon" and p.coupon is not None:
                self._overlay = {"kind": "coupon", "sku": p.sku,
                                 "text": tpl.deal_text(p.coupon, p, self.catalog.currency, self.lang),
                                 "ends_at_s": now + self.coupon_countdown_s}
            return self._issue(line, now)
        return None

    def _choose(self, drafts: list[tpl.Draft], p: Product, segment: str, now: float) -> Line | None:
        """A variant not said in the last 10 minutes that passes the checks (drafts tried in a seeded order)."""
        order = list(drafts)
        self._rng.shuffle(order)
        for d in order:
            text = self._checked(d.text, d.facts, now)
            if text is not None:
                return Line(text, "script", p.sku, segment, False, True)
        if self._rephrase is not None and drafts:
            base = drafts[0]
            try:
                candidate = self._rephrase(base.text, list(base.facts), self.lang)
            except Exception:  # noqa: BLE001 - an LLM failure costs variety, never the show
                candidate = None
            if candidate:
                text = self._checked(candidate.strip(), base.facts, now)
                if text is not None:
                    return Line(text, "script", p.sku, segment, False, True)
        return None

    def _checked(self, text: str, facts, now: float) -> str | None:
        if self._repeat.recent(text, now):
            self.skips["repeat"] += 1
            return None
        if fact_check.check(text, list(facts), self.catalog):
            self.skips["fact_check"] += 1
            return None
        guarded = self._guard(text)
        if guarded is None:
            return None
        if guarded != text and (fact_check.verify_text(guarded, list(facts)) or self._repeat.recent(guarded, now)):
            self.skips["fact_check"] += 1
            return None
        return guarded

    def _guard(self, text: str) -> str | None:
        if self._guard_fn is None:
            return text
        result = self._guard_fn(text, self.lang)
        if result.dropped or not result.text.strip():
            self.skips["guard"] += 1
            return None
        return result.text

    def _coupon_on(self, p: Product) -> bool:
        c = p.coupon
        if c is None:
            return False
        if c.expires is None:
            return True
        return self._wall is not None and c.active(self._wall())

    def _issue(self, line: Line, now: float) -> Line:
        before = self._repeat.record(line.text, now)
        if line.resumable:
            self._issued.append((line.text, now, before))
        self.counts[line.priority] += 1
        return line

    def interrupted(self, line: Line, spoken_chars: int) -> None:
        """The room cut `line` after `spoken_chars` characters of its text."""
        if not line.resumable:
            return
        now = self._now()
        done = max((e for e in sentence_ends(line.text) if e <= max(0, spoken_chars)), default=0)
        rest = line.text[done:].strip()
        for text, said_at, before in self._issued:
            if text == line.text:  # the unspoken sentences were never heard: they may be said again
                for s in sentences(line.text[done:]):
                    self._repeat.undo(s, before.get(_norm(s)), said_at)
                break
        if rest:
            self._resume = (Line(rest, line.priority, line.sku, line.segment, line.reply, True), now)

    def overlay(self) -> dict | None:
        """The coupon countdown while it runs (for the renderer), else None."""
        o = self._overlay
        if o is None:
            return None
        now = self._now()
        p = self.catalog.product(o["sku"])
        if now >= o["ends_at_s"] or o["sku"] != self.current_sku or p is None or not self._coupon_on(p):
            self._overlay = None
            return None
        return dict(o)

    # --- viewers ----------------------------------------------------------------------------------

    def on_event(self, ev: ChatEvent) -> list[Line]:
        now = self._now()
        lines: list[Line] = []
        if ev.kind in ("chat", "superchat") and ev.text.strip():
            line = self._answer(ev, now)
            if line is not None:
                lines.append(line)
        if ev.kind in ("gift", "superchat") and (ev.gift is not None or ev.kind == "superchat"):
            self._buffer("gift", ev, now)
        elif ev.kind in ("follow", "enter"):
            self._buffer(ev.kind, ev, now)
        elif ev.kind == "like":
            self.likes += max(1, ev.like_count)
        return lines

    def _answer(self, ev: ChatEvent, now: float) -> Line | None:
        uid = ev.user.id or ev.user.name
        key = _norm(ev.text)
        if now - self._asked_by.get(uid, float("-inf")) < self.question_cooldown_s:
            self.drops["chat_cooldown"] += 1
            return None
        if now - self._asked_text.get(key, float("-inf")) < DUPLICATE_WINDOW_S:
            self.drops["chat_duplicate"] += 1
            return None
        while self._answer_times and now - self._answer_times[0] >= 60.0:
            self._answer_times.popleft()
        if len(self._answer_times) >= self.max_answers_per_min:
            self.drops["chat_rate"] += 1
            return None
        fn = self._answer_fn or self._default_answer()
        result = fn(self.catalog, ev.text, current_sku=self.current_sku, lang=None)
        if not result.speak or not result.text.strip():
            self.drops["chat_unspoken"] += 1
            return None
        if result.intent in CHATTER_INTENTS:
            if now - self._last_chatter < CHATTER_GAP_S:
                self.drops["chat_chatter"] += 1
                return None
            self._last_chatter = now
        text = self._guard(result.text)
        if text is None:
            return None
        _remember(self._asked_by, uid, now, 2000)
        _remember(self._asked_text, key, now, 2000)
        self._answer_times.append(now)
        if result.product:
            self.asks[result.product] = self.asks.get(result.product, 0) + 1
        line = Line(text, "chat", result.product, "answer", True, False)
        self._repeat.record(text, now)
        self.counts["chat"] += 1
        return line

    def _default_answer(self) -> Callable:
        answer = importlib.import_module("twincast.commerce.answer").answer

        def call(catalog, message, current_sku=None, lang=None):  # noqa: ANN001, ANN202
            extra = {"now": self._wall()} if self._wall is not None else {}
            return answer(catalog, message, current_sku=current_sku, lang=lang, seed=self._seed, **extra)

        self._answer_fn = call
        return call

    def _buffer(self, kind: str, ev: ChatEvent, now: float) -> None:
        uid = ev.user.id or ev.user.name
        if now - self._thanked.get((kind, uid), float("-inf")) < self.thank_cooldown_s:
            self.skips["cooldown"] += 1
            return
        gift = ev.gift
        item = _Pending(uid, ev.user.name, now, gift.name if gift else "", gift.count if gift else 0,
                        float(gift.value) if gift else 0.0)
        if kind == "gift" and item.value >= self.big_gift_value:
            if any(b.user_id == uid for b in self._big):
                return  # already waiting for a personal thank-you
            if len(self._big) >= self._max_big:
                self._batches["gift"].add(self._big.popleft())  # still thanked, in the batch
            self._batches["gift"].pending.pop(uid, None)
            self._big.append(item)
            return
        self._batches[kind].add(item)

    def tick(self) -> list[Line]:
        now = self._now()
        self._update_product(now)
        lines: list[Line] = []
        while self._big:  # a big gift: on its own, at the next tick, one a tick
            item = self._big.popleft()
            line = self._big_thanks(item, now)
            if line is not None:
                lines.append(line)
                break
        for kind in BATCH_KINDS:
            batch = self._batches[kind]
            if batch.due(now, self.batch_s):
                line = self._flush(batch, now)
                if line is not None:
                    lines.append(line)
        self._prune_thanked(now)
        return lines

    def _big_thanks(self, item: _Pending, now: float) -> Line | None:
        if now - self._thanked.get(("gift", item.user_id), float("-inf")) < self.thank_cooldown_s:
            self.skips["cooldown"] += 1
            return None
        name = safe_name(item.name, self.lang, self._guard_fn)
        gift = safe_name(item.gift, self.lang, self._guard_fn)
        self._thanked[("gift", item.user_id)] = now
        if name is None or gift is None:
            self.skips["names"] += 1
            self._batches["gift"].add(_Pending(item.user_id, "", now))  # thanked in the next batch, unnamed
            self._thanked.pop(("gift", item.user_id), None)
            return None
        return self._viewer_line(tpl.big_gift_texts(name, gift, max(1, item.count), self.lang), "gift", now)

    def _flush(self, batch: _Batch, now: float) -> Line | None:
        people = [p for p in batch.pending.values()
                  if now - self._thanked.get((batch.kind, p.user_id), float("-inf")) >= self.thank_cooldown_s]
        self.skips["cooldown"] += len(batch.pending) - len(people)
        batch.pending.clear()
        batch.last_flush = now
        if not people:
            return None
        names: list[str] = []
        for p in people:
            if len(names) >= NAMES_SHOWN:
                break
            name = safe_name(p.name, self.lang, self._guard_fn) if p.name else None
            if name is None:
                self.skips["names"] += 1
            elif name not in names:
                names.append(name)
        for p in people:
            self._thanked[(batch.kind, p.user_id)] = now
        return self._viewer_line(tpl.batch_texts(batch.kind, names, len(people), self.lang), batch.kind, now)

    def _viewer_line(self, texts: list[str], kind: str, now: float) -> Line | None:
        order = list(texts)
        self._rng.shuffle(order)
        for text in order:
            if self._repeat.recent(text, now):
                self.skips["repeat"] += 1
                continue
            guarded = self._guard(text)
            if guarded is None:
                continue
            line = Line(guarded, kind, None, _SEGMENT_OF[kind], False, False)
            return self._issue(line, now)
        return None

    def _prune_thanked(self, now: float) -> None:
        if len(self._thanked) > 4 * sum(b.capacity for b in self._batches.values()):
            self._thanked = {k: t for k, t in self._thanked.items() if now - t < self.thank_cooldown_s}

    # --- status -----------------------------------------------------------------------------------

    def status(self) -> dict:
        now = self._now()
        self._update_product(now)
        mode = self._mode(now)
        for kind, batch in self._batches.items():
            self.drops[kind] = batch.dropped
        return {
            "sku": self._sku,
            "mode": mode,
            "segment": self._segment_name or None,
            "product_elapsed_s": round(now - self._started, 1),
            "box_left_s": round(max(0.0, self.segment_s - (now - self._started)), 1) if mode == "rotation" else None,
            "lines": dict(self.counts),
            "rotations": self.rotations,
            "drops": dict(self.drops),
            "skips": dict(self.skips),
            "pending": {k: len(b.pending) for k, b in self._batches.items()} | {"big_gift": len(self._big)},
            "likes": self.likes,
            "asks": dict(self.asks),
            "sold_out": sorted(self._sold_out_said),
            "overlay": self.overlay(),
            "remembered_sentences": len(self._repeat),
        }


def _remember(table: OrderedDict, key: str, now: float, cap: int) -> None:
    table.pop(key, None)
    table[key] = now
    while len(table) > cap:
        table.popitem(last=False)


def _default_guard() -> Callable | None:
    """The ad-law guard when the module is there (written alongside this one)."""
    try:
        return importlib.import_module("twincast.commerce.ad_guard").check
    except ImportError:
        return None
