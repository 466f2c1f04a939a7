"""Nothing is said about a product that the catalogue does not say.

Two checks, run on every answer (template or LLM rephrase) before it can reach the voice:

1. every fact cited is the catalogue's own value (`verify_facts`): a fact names a field path
   ("price", "coupon.off", "specs.容量", "faq.0.a") and its value must read back identically;
2. every number and every commercial claim in the text is backed by a cited fact (`verify_text`):
   numbers are extracted from digits ("89.9", "1,299", "2w"), Chinese numerals ("八十九块九",
   "两天", "满两百减三十") and English number words ("two days"), then compared as Decimals with the
   numbers in the facts' values; claims ("包邮", "in stock", "优惠券", "买一送一", "保修"...) need the
   fact that licenses them (shipping.free true, stock > 0, a coupon field...) or the same words in a
   cited value. Dates are checked as their numbers (12月31日 -> 12, 31 against "2026-12-31").

Templates print digits (the voice's normaliser reads them out); Chinese numerals are parsed so an LLM
that writes "八十九块九" is held to the same facts."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation

from twincast.commerce.model import Catalog, Product


@dataclass(frozen=True)
class Fact:
    sku: str
    field: str  # "price", "list_price", "stock", "coupon.off", "shipping.days", "specs.容量", "faq.0.a", "name"
    value: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class Number:
    value: Decimal
    text: str
    start: int


def format_value(value: object) -> str:
    """The one spelling of a catalogue value: 89.9 (not 89.90), 2026-12-31, true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)


_MISSING = object()


def read_field(product: Product, field: str) -> object:
    """The catalogue value at a fact's field path, or _MISSING."""
    head, _, rest = field.partition(".")
    try:
        if head in ("name", "price", "list_price", "stock", "sku"):
            value = getattr(product, head)
        elif head == "coupon" and product.coupon is not None:
            value = getattr(product.coupon, rest)
        elif head == "shipping" and product.shipping is not None:
            value = getattr(product.shipping, "from_" if rest == "from" else rest)
        elif head == "specs":
            value = product.specs[rest]
        elif head in ("faq",):
            i, _, part = rest.partition(".")
            value = getattr(product.faq[int(i)], part)
        elif head in ("aliases", "selling_points"):
            value = getattr(product, head)[int(rest)]
        else:
            return _MISSING
    except (AttributeError, KeyError, IndexError, ValueError):
        return _MISSING
    return _MISSING if value is None else value


def fact(product: Product, field: str) -> Fact:
    """A fact read from the catalogue (the only way answer.py makes one)."""
    value = read_field(product, field)
    if value is _MISSING:
        raise KeyError(f"{product.sku} has no {field}")
    return Fact(product.sku, field, format_value(value))


def verify_facts(facts: list[Fact], catalog: Catalog) -> list[str]:
    problems = []
    for f in facts:
        product = catalog.product(f.sku)
        if product is None:
            problems.append(f"fact about unknown SKU {f.sku!r}")
            continue
        value = read_field(product, f.field)
        if value is _MISSING:
            problems.append(f"{f.sku}: no field {f.field!r} in the catalogue")
        elif format_value(value) != f.value:
            problems.append(f"{f.sku}.{f.field}: cited {f.value!r}, catalogue says {format_value(value)!r}")
    return problems


# --- numbers --------------------------------------------------------------------------------------

_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_CN_CHARS = "零〇一二两三四五六七八九十百千万亿"
_MULT = {"万": 10_000, "w": 10_000, "千": 1000, "k": 1000}

_DIGITS = re.compile(
    r"(?<![\d.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?"  # 1,299.5 / 89.9
    r"(?:([块元])(\d)(?![\d.]))?"  # 89块9 -> 89.9
    r"(?:\s?([万千wk])(?![a-z]))?",  # 2w, 1.5万
    re.I,
)
_CN_NUM = re.compile(
    rf"[{_CN_CHARS}]+(?:点[{_CN_CHARS}]+)?(?:[块元]([一二三四五六七八九])(?:毛([一二三四五六七八九]))?)?"
)
# 一 alone is mostly not a number (一下, 一起, 一样); it counts before a unit that makes it one.
_LONE_YI_UNIT = re.compile(r"[元块天年月日号周小个件片瓶盒斤克折次份]")
_NOT_NUMBERS = ("十分", "万一", "千万", "一一", "一些", "一点", "一下", "一起", "一直", "一样", "一定", "一般", "唯一", "统一", "一切")
_EN_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
    "dozen": 12, "half": Decimal("0.5"), "once": 1, "twice": 2,
}
_EN_WORD = re.compile(r"\b(" + "|".join(_EN_WORDS) + r")\b", re.I)


def _cn_int(text: str) -> int:
    """一百二十三 -> 123, 两万 -> 20000, 十五 -> 15, 三零五 (digit by digit) -> 305."""
    if all(c in _CN_DIGIT for c in text):
        return int("".join(str(_CN_DIGIT[c]) for c in text)) if text else 0
    total, section, digit = 0, 0, None
    for c in text:
        if c in _CN_DIGIT:
            digit = _CN_DIGIT[c]
        elif c in _CN_UNIT:
            section += (1 if digit is None else digit) * _CN_UNIT[c]
            digit = None
        elif c in _CN_BIG:
            total += (section + (digit or 0)) * _CN_BIG[c]
            section, digit = 0, None
    return total + section + (digit or 0)


def _cn_value(m: re.Match[str]) -> Decimal:
    whole, _, frac = m.group(0).split("块")[0].split("元")[0].partition("点")
    value = Decimal(_cn_int(whole))
    if frac:
        value += Decimal("0." + "".join(str(_CN_DIGIT.get(c, 0)) for c in frac))
    if m.group(1):
        value += Decimal(_CN_DIGIT[m.group(1)]) / 10
        if m.group(2):
            value += Decimal(_CN_DIGIT[m.group(2)]) / 100
    return value


def extract_numbers(text: str) -> list[Number]:
    """Every number a listener would hear in `text`, as Decimals, in order."""
    out: list[Number] = []
    for m in _DIGITS.finditer(text):
        try:
            value = Decimal(m.group(1).replace(",", "") + (m.group(2) or ""))
        except InvalidOperation:
            continue
        if m.group(3):
            value += Decimal(m.group(4)) / 10
        if m.group(5):
            value *= _MULT[m.group(5).lower()]
        out.append(Number(value, m.group(0), m.start()))
    for m in _CN_NUM.finditer(text):
        token = m.group(0)
        after = text[m.end(): m.end() + 1]
        around = text[max(0, m.start() - 1): m.end() + 1]
        if any(w in around for w in _NOT_NUMBERS) and len(token) <= 2:
            continue
        if token == "一" and not _LONE_YI_UNIT.match(after):
            continue
        if token in _CN_BIG or token in ("千", "百"):
            continue  # a bare 万/千 is a multiplier already applied to digits, or a word (千万别)
        out.append(Number(_cn_value(m), token, m.start()))
    for m in _EN_WORD.finditer(text):
        out.append(Number(Decimal(_EN_WORDS[m.group(1).lower()]), m.group(0), m.start()))
    return sorted(out, key=lambda n: n.start)


# --- claims ---------------------------------------------------------------------------------------

def _stock(facts: list[Fact], positive: bool) -> bool:
    return any(f.field == "stock" and (int(f.value) > 0) == positive for f in facts)


# (name, pattern, licence). A claim is allowed when its licence holds on the cited facts, or when the
# very words appear in a cited value (a FAQ answer that says "支持七天无理由退货" licenses saying so).
_CLAIMS: tuple[tuple[str, re.Pattern[str], object], ...] = (
    ("not free shipping", re.compile(r"不包邮|运费自理|不免运费|shipping is not free|not free shipping|shipping fee", re.I),
     lambda fs: any(f.field == "shipping.free" and f.value == "false" for f in fs)),
    ("free shipping", re.compile(r"包邮|免运费|免邮|free shipping|ships free|free delivery|shipping is free", re.I),
     lambda fs: any(f.field == "shipping.free" and f.value == "true" for f in fs)),
    ("sold out", re.compile(r"卖完|售罄|没货|断货|缺货|sold out|out of stock", re.I), lambda fs: _stock(fs, False)),
    ("in stock", re.compile(r"有货|现货|库存|in stock|available now|still have", re.I), lambda fs: _stock(fs, True)),
    ("coupon", re.compile(r"券|满\s*\d+\s*减|coupon|voucher|promo code", re.I),
     lambda fs: any(f.field.startswith("coupon.") for f in fs)),
    ("discount", re.compile(r"打折|折扣|\d+(?:\.\d+)?\s*折|[一二三四五六七八九]折|半价|discount|% off|percent off|half price|sale price", re.I),
     lambda fs: any(f.field in ("coupon.percent_off", "coupon.off", "list_price") for f in fs)),
    ("list price", re.compile(r"原价|划线价|was \d|list price|regular price|originally", re.I),
     lambda fs: any(f.field == "list_price" for f in fs)),
    ("gift", re.compile(r"赠品|买一送一|送赠|加送|免费送|free gift|buy one get one|bogo|comes with a free", re.I), lambda fs: False),
    ("returns", re.compile(r"退货|退换|无理由|退款|refund|returns?\b|money back", re.I), lambda fs: False),
    ("warranty", re.compile(r"保修|质保|包换|warranty|guarantee", re.I), lambda fs: False),
    ("authentic", re.compile(r"正品|官方|授权|authentic|genuine|official", re.I), lambda fs: False),
    ("superlative", re.compile(r"最低|最便宜|全网|第一|lowest|cheapest|best price|number one|#1", re.I), lambda fs: False),
    ("timing", re.compile(r"今天发|明天|当天|今晚|马上发|立刻发|秒发|tomorrow|same day|same-day|tonight|today", re.I),
     lambda fs: False),
)


def _cited_text(facts: list[Fact]) -> str:
    return " ".join(f.value for f in facts).lower()


def verify_text(text: str, facts: list[Fact]) -> list[str]:
    """Problems with `text` against the cited facts: numbers they do not hold, claims they do not license."""
    problems = []
    allowed = {n.value for f in facts for n in extract_numbers(f.value)}
    for n in extract_numbers(text):
        if n.value not in allowed:
            problems.append(f"number {n.text!r} is in no cited fact")
    cited = _cited_text(facts)
    rest = text
    for name, pattern, licence in _CLAIMS:
        for m in pattern.finditer(rest):
            if m.group(0).lower() in cited or licence(facts):
                continue
            problems.append(f"claim {name!r} ({m.group(0)!r}) is backed by no cited fact")
        if name == "not free shipping":  # "不包邮" must not then count as "包邮"
            rest = pattern.sub(" ", rest)
    return problems


def check(text: str, facts: list[Fact], catalog: Catalog) -> list[str]:
    """Both checks; empty when the answer may be spoken."""
    return verify_facts(facts, catalog) + verify_text(text, facts)
