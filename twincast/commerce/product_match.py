"""Which product a message is about, which FAQ question it asks, which spec it names.

Chat names products loosely: "杯子", "宝温杯" (a homophone slip), "thermos", "the earbuds", or not
at all ("这个多少钱" / "how much is this one" mean the product on screen, passed in as current_sku).
Retrieval is by overlap, not by a model: Mandarin by character bigrams and by toneless pinyin bigrams
(homophones), English by words with an edit-distance allowance. Every score is in [0, 1] so one
threshold reads the same for both languages.

The index is built once per catalogue (a few hundred products at most) and answers in well under a
millisecond."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from twincast.commerce import intent as _intent
from twincast.commerce.model import Catalog, Product

PRODUCT_MIN = 0.7  # an alias fully in the message scores 1; half a long name does not name it
FAQ_MIN = 0.45  # Dice over content bigrams: "能放洗碗机吗" against "可以进洗碗机吗" scores ~0.57

_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_WORD = re.compile(r"[a-z][a-z']*|\d+(?:\.\d+)?")
# Function words carry no topic: removed before FAQ overlap so "可以…吗" does not match every question.
_ZH_FILLER = re.compile(
    r"能不能|可不可以|会不会|是不是|有没有|可以|能够|请问|主播|这个|那个|这款|那款|一下|什么|怎么|"
    r"[吗呢啊吧呀哦的了么嘛能会要把它我你您是在不还也都就很]"
)
_UNIT_WORDS = frozenset({"小时", "个月", "分钟", "毫升", "公斤", "厘米", "毫米", "天内"})
_EN_STOP = frozenset(
    "a an the is are was it this that one do does can could i you we me my your of to in on for with "
    "and or be will would should how what which there any please it's its".split()
)

# Spec concepts: what a viewer says -> what a spec key is called. A key belongs to a concept when it
# holds one of the words; a message asks for a concept when it holds one of them.
SPEC_CONCEPTS: dict[str, tuple[str, ...]] = {
    "capacity": ("容量", "多大", "毫升", "ml", "capacity", "how big", "装多少", "多少水", "hold", "holds"),
    "material": ("材质", "材料", "什么做的", "面料", "成分", "material", "made of", "fabric", "ingredients", "布料"),
    "size": ("尺寸", "尺码", "码数", "多大码", "多长", "多高", "偏大", "偏小", "尺码表", "size", "sizes", "dimensions", "多宽",
             "穿多大", "身高", "体重", "fit in", "fits in", "放得进", "放得下", "塞得进"),
    "weight": ("重量", "多重", "几斤", "多少克", "净含量", "克重", "weight", "how heavy", "grams", "net content"),
    "color": ("颜色", "什么色", "色号", "几种颜色", "几个颜色", "color", "colour", "colors", "colours", "shade", "shades"),
    "battery": ("续航", "电池", "能用多久", "充一次", "battery", "battery life"),
    "waterproof": ("防水", "waterproof", "water resistant"),
    "keep_warm": ("保温多久", "保温时长", "保温效果", "能保温", "保温几", "保温时间", "keep warm", "keeps warm", "how long warm", "keep hot"),
    "shelf_life": ("保质期", "过期", "放多久", "shelf life", "expiry", "expire"),
    "pieces": ("片数", "几片", "多少片", "一盒几", "sheets", "how many pieces", "pieces", "in a box", "per box", "per pack"),
    "skin": ("肤质", "适合什么皮肤", "敏感肌", "skin type", "skin types"),
    "bluetooth": ("蓝牙", "bluetooth"),
    "origin": ("产地", "哪里产", "哪产", "产的", "made in", "origin", "where is it made", "grown"),
    "brand": ("品牌", "什么牌子", "牌子", "brand"),
    "grade": ("等级", "几级", "grade"),
    "noise_cancel": ("降噪", "noise cancelling", "noise canceling", "noise cancellation", "noise cancel", "anc"),
}
# Open vocabularies (sizes, colours, materials, weight by feel) are patterns in intent.py, shared so that a
# message the classifier calls spec also names the spec it asks for.
CONCEPT_PATTERNS = (
    ("size", _intent.SIZE_ASK), ("color", _intent.COLOUR_ASK), ("material", _intent.MATERIAL_ASK),
    ("weight", _intent.WEIGHT_ASK),
)
CONCEPT_EN = {
    "capacity": "capacity", "material": "material", "size": "size", "weight": "weight", "color": "colour",
    "battery": "battery life", "waterproof": "water resistance", "keep_warm": "heat retention",
    "shelf_life": "shelf life", "pieces": "pack size", "skin": "skin type", "bluetooth": "Bluetooth version",
    "origin": "origin", "brand": "brand", "grade": "grade", "noise_cancel": "noise cancelling",
}


def _bigrams(seq) -> set:
    seq = list(seq)
    if len(seq) == 1:
        return {(seq[0],)}
    return {tuple(seq[i: i + 2]) for i in range(len(seq) - 1)}


def _zh_grams(text: str, unigrams: bool = False) -> tuple[set, set]:
    """Character bigrams within each CJK run, and the same over pinyin keys; with `unigrams`, single
    characters too, so a one-character term ("恤" of "T恤") can be found in a message."""
    chars, keys = set(), set()
    for run in _CJK_RUN.findall(text):
        pinyin = _intent.pinyin_keys(run)
        chars |= _bigrams(run)
        keys |= _bigrams(pinyin)
        if unigrams:
            chars |= {(c,) for c in run}
            keys |= {(k,) for k in pinyin}
    return chars, keys


def _en_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text) if w not in _EN_STOP]


def _contained(term: set, msg: set) -> float:
    return len(term & msg) / len(term) if term else 0.0


def _dice(a: set, b: set) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def _fuzzy_overlap(term: list[str], words: list[str]) -> float:
    """Share of the term's words found in the message, a typo ("thermoss") counting 0.85."""
    if not term:
        return 0.0
    got = 0.0
    for t in term:
        if t in words:
            got += 1.0
        elif any(_intent.word_matches(w, t, False) for w in words):
            got += 0.85
    return got / len(term)


def _singular(words: list[str]) -> list[str]:
    return [w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words]


@dataclass(frozen=True)
class _Term:
    sku: str
    text: str
    chars: frozenset
    keys: frozenset
    words: tuple[str, ...]
    weight: float  # names and aliases 1, spec values and FAQ questions less: they describe, not name


@dataclass(frozen=True)
class Hit:
    sku: str
    score: float
    via: str  # the name, alias, spec value or FAQ question that matched


@dataclass(frozen=True)
class Resolution:
    sku: str | None
    how: str  # "named", "screen" (deictic or no mention, current_sku), "only" (a one-product catalogue), "none"


class ProductIndex:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._terms: list[_Term] = []
        for p in catalog.products:
            for text in [p.name, *p.aliases]:
                self._add(p.sku, text, 1.0)
            for value in p.specs.values():
                self._add(p.sku, value, 0.75)
            for f in p.faq:
                self._add(p.sku, f.q, 0.6)
        # Names and aliases, longest first, so intent words inside them ("口红" + "包邮" reads 红包,
        # "蓝牙耳机" holds the spec word 蓝牙) do not count once the product is recognised.
        names = sorted({_intent.normalise(t) for p in catalog.products for t in [p.name, *p.aliases]}, key=len, reverse=True)
        parts = [rf"(?<![a-z]){re.escape(n)}(?![a-z])" if n.isascii() else re.escape(n) for n in names if n.strip()]
        self._names = re.compile("|".join(parts)) if parts else None
        self._faq = {
            p.sku: [(i, *_content(f.q)) for i, f in enumerate(p.faq)] for p in catalog.products
        }

    def _add(self, sku: str, text: str, weight: float) -> None:
        low = _intent.normalise(text)
        chars, keys = _zh_grams(low)
        words = tuple(_singular(_en_words(low)))
        if chars or words:
            self._terms.append(_Term(sku, text, frozenset(chars), frozenset(keys), words, weight))

    def strip_names(self, message: str) -> str:
        """The message, normalised, with every product name and alias blanked out."""
        low = _intent.normalise(message)
        return self._names.sub(" ", low) if self._names else low

    def hits(self, message: str) -> list[Hit]:
        """Every product with its best-matching term, best first."""
        low = _intent.normalise(message)
        chars, keys = _zh_grams(low, unigrams=True)
        words = _singular(_en_words(low))
        best: dict[str, Hit] = {}
        for t in self._terms:
            score = 0.0
            if t.chars:
                score = max(_contained(t.chars, chars), 0.9 * _contained(t.keys, keys))
                if t.words:  # "316不锈钢保温杯 500ml": both halves count
                    share = len(t.chars) / (len(t.chars) + len(t.words))
                    score = share * score + (1 - share) * _fuzzy_overlap(list(t.words), words)
            elif t.words:
                score = _fuzzy_overlap(list(t.words), words)
            score *= t.weight
            if score > 0 and (t.sku not in best or score > best[t.sku].score):
                best[t.sku] = Hit(t.sku, score, t.text)
        return sorted(best.values(), key=lambda h: -h.score)

    def named(self, message: str, prefer: str | None = None) -> Hit | None:
        """The product the message names, if one clearly is; on a tie the one on screen."""
        hits = [h for h in self.hits(message) if h.score >= PRODUCT_MIN]
        if not hits:
            return None
        top = [h for h in hits if h.score >= hits[0].score - 1e-9]
        return next((h for h in top if h.sku == prefer), top[0])

    def resolve(self, message: str, current_sku: str | None) -> Resolution:
        """Named product first ("这个保温杯" is the thermos even if the earbuds are on screen); then the
        one on screen for "这个/it" or an unnamed question; then a one-product catalogue."""
        hit = self.named(message, current_sku)
        if hit:
            return Resolution(hit.sku, "named")
        if current_sku and self.catalog.product(current_sku):
            return Resolution(current_sku, "screen")
        if len(self.catalog.products) == 1:
            return Resolution(self.catalog.products[0].sku, "only")
        return Resolution(None, "none")

    def faq(self, product: Product, message: str) -> tuple[int, float] | None:
        """The product's FAQ entry the message asks, with its similarity, or None."""
        chars, keys, words = _content(message)
        best: tuple[int, float] | None = None
        for i, q_chars, q_keys, q_words in self._faq.get(product.sku, []):
            score = max(_dice(q_chars, chars), 0.9 * _dice(q_keys, keys))
            if q_words:
                score = max(score, _fuzzy_overlap(list(q_words), list(words)) * min(1.0, 2 * len(q_words) / (len(q_words) + len(words))) ** 0.5)
            if score >= FAQ_MIN and (best is None or score > best[1]):
                best = (i, score)
        return best


def _content(text: str) -> tuple[set, set, tuple[str, ...]]:
    low = _ZH_FILLER.sub(" ", _intent.normalise(text))
    chars, keys = _zh_grams(low)
    return chars, keys, tuple(_singular(_en_words(low)))


def content_words(text: str) -> list[str]:
    """Mandarin characters and English words left once function words and deictics are gone."""
    low = _ZH_FILLER.sub(" ", _intent.normalise(text))
    return list("".join(_CJK_RUN.findall(low))) + [w for w in _en_words(low) if w not in _intent.DEICTIC_EN]


@lru_cache(maxsize=4096)  # spec keys and selling points are asked about again for every message
def concepts_in(text: str) -> frozenset[str]:
    low = _intent.normalise(text)
    words = _WORD.findall(low)
    found = set()
    for concept, cues in SPEC_CONCEPTS.items():
        for cue in cues:
            if cue.isascii():
                cue_words = cue.split()
                if any(words[i: i + len(cue_words)] == cue_words for i in range(len(words))):
                    found.add(concept)
                    break
            elif cue in low:
                found.add(concept)
                break
    found.update(concept for concept, pattern in CONCEPT_PATTERNS if pattern.search(low))
    return frozenset(found)


def spec_key(product: Product, message: str) -> tuple[str, str | None] | None:
    """(spec key, concept) the message asks about: the key itself in the message, else a shared
    concept ("多大" -> a key named 容量). None when the message names no spec this product has."""
    low = _intent.normalise(message)
    for key in product.specs:
        if key.lower() in low:
            found = concepts_in(key)
            return key, (next(iter(found)) if found else None)
    asked = concepts_in(message)
    for key in product.specs:
        shared = asked & concepts_in(key)
        if shared:
            return key, sorted(shared)[0]
    # "是316的吗" / "是纯棉的吗": the viewer checks a value; the key holding it is what they ask about. Only
    # distinctive parts of the value count: "12" or "小时" of "12小时" turn up in any sentence.
    chars, _ = _zh_grams(low)
    words = set(_WORD.findall(low))
    for key, value in product.specs.items():
        v = _intent.normalise(value)
        v_chars = {g for g in _zh_grams(v)[0] if len(g) == 2 and "".join(g) not in _UNIT_WORDS}
        v_words = {w for w in _WORD.findall(v) if len(w) >= 3 or (len(w) == 2 and w.isalpha())}
        if v_chars & chars or v_words & words:
            found = concepts_in(key)
            return key, (next(iter(found)) if found else None)
    return None


def feature_point(product: Product, message: str) -> int | None:
    """The selling point a feature question is about, when no spec key holds the feature: "有降噪吗" and "do
    they have noise cancelling" -> "主动降噪" (by a shared concept or a distinctive bigram)."""
    if not product.selling_points:
        return None
    asked = concepts_in(message)
    low = _intent.normalise(message)
    chars = _zh_grams(_ZH_FILLER.sub(" ", low))[0]
    for i, point in enumerate(product.selling_points):
        if asked & concepts_in(point):
            return i
        p_chars = {g for g in _zh_grams(_intent.normalise(point))[0] if len(g) == 2 and "".join(g) not in _UNIT_WORDS}
        if p_chars & chars:
            return i
    return None


def asked_concepts(message: str) -> frozenset[str]:
    """Spec concepts the message asks for, whether or not the product has them."""
    return concepts_in(message)


_INDEXES: dict[int, tuple[Catalog, ProductIndex]] = {}


def index_for(catalog: Catalog) -> ProductIndex:
    """One index per catalogue object (catalogues are frozen, so the index never goes stale)."""
    entry = _INDEXES.get(id(catalog))
    if entry is None or entry[0] is not catalog:
        if len(_INDEXES) > 16:
            _INDEXES.clear()
        entry = (catalog, ProductIndex(catalog))
        _INDEXES[id(catalog)] = entry
    return entry[1]
