"""Turn live-commerce text into words a TTS engine reads aloud correctly.

Engines guess at digits and symbols ("¥89.9", "2kg", "20:00", "8.5折") and often guess wrong, so
every reading is decided here, for Mandarin ("zh") and English ("en"). Standard library only: each
rule is one precompiled regex plus a small replacement, applied in a fixed order because earlier
rules (times, prices, phone numbers) must claim their digits before the generic number reader.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]

# A number token that is not the tail of a longer number. Commas group thousands ("10,000"); a number
# written that way is an amount, never a phone number, so the commas are dropped only when it is read.
_NUM = r"(?<![\d.])(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?"

# --- cleanup shared by both languages -----------------------------------------------------------

_URL = re.compile(r"(?:https?://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2190-\u21FF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D\u20E3]")
_BANG_RUN = re.compile(r"([!?！？])[!?！？]+")  # "！！！" or "?!?" -> one mark, one pause
_PUNCT_RUN = re.compile(r"([。，,.~～…、；;：:])\1+")
_SPACES = re.compile(r"\s+")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+(?=[，。！？、；：,.!?;:)）])")
# Mandarin needs no spaces between characters; a dropped URL or emoji leaves one behind.
_SPACE_BETWEEN_CJK = re.compile(r"(?<=[\u4e00-\u9fff，。！？、；：])\s+(?=[\u4e00-\u9fff])")
# Dashed phone numbers: three or more groups ("400-820-8820") or area code + 7-8 digits.
_PHONE = re.compile(r"(?<![\d-])(?:\d{1,4}(?:-\d{2,4}){2,3}|\d{3,4}-\d{7,8})(?![\d-])")
_RANGE = re.compile(r"(?<=\d)\s*[~～]\s*(?=\d)|(?<=\d)-(?=\d)")  # "100-200" is a range
_TIME = re.compile(r"(?<![\d:])([01]?\d|2[0-4]):([0-5]\d)(?![\d:])")
_PERCENT = re.compile(rf"({_NUM})\s*[%％]")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def detect_lang(text: str) -> str:
    """"zh" if the text has any CJK ideograph, else "en"."""
    return "zh" if _CJK.search(text) else "en"


def normalize(text: str, lang: str) -> str:
    """Return `text` with numbers, prices, units and times spelled out in `lang` ("zh" or "en")."""
    rules = {"zh": _ZH_RULES, "en": _EN_RULES}.get(lang)
    if rules is None:
        raise ValueError(f"unsupported language {lang!r}; expected 'zh' or 'en'")
    text = _clean(text)
    for pattern, replace in rules:
        text = pattern.sub(replace, text)
    return _tidy(text)


def _clean(text: str) -> str:
    """Drop what must not be spoken (URLs, emoji) and repeated punctuation."""
    text = _URL.sub(" ", text)
    text = _EMOJI.sub("", text)
    text = _BANG_RUN.sub(r"\1", text)
    return _PUNCT_RUN.sub(r"\1", text)


def _tidy(text: str) -> str:
    text = _SPACES.sub(" ", text)
    text = _SPACE_BETWEEN_CJK.sub("", text)
    return _SPACE_BEFORE_PUNCT.sub("", text).strip()


def _phone_digits(m: re.Match[str], read_digits: Callable[[str], str], joiner: str) -> str:
    groups = m.group(0).split("-")
    if sum(len(g) for g in groups) < 7:  # too short for a phone number; leave it to the range rule
        return m.group(0)
    return joiner.join(read_digits(g) for g in groups)


# --- Mandarin ---------------------------------------------------------------------------------

_ZH_DIGITS = "零一二三四五六七八九"
_ZH_POWERS = ("", "十", "百", "千")
_ZH_GROUPS = ("", "万", "亿", "万亿")
# A bare 2 before a measure word is read 两 ("两件"), not 二.
_ZH_LIANG_NEXT = re.compile(
    r"\s*(?:件|个|公斤|千克|斤|瓶|盒|包|双|只|台|米|克|升|块|条|张|次|天|小时|分钟|位|袋|支|罐|箱|份|款|种|"
    r"年|周|套|杯|片|点|岁)"
)
_ZH_UNITS = {
    "ml": "毫升", "mL": "毫升", "ML": "毫升", "l": "升", "L": "升", "kg": "公斤", "KG": "公斤",
    "Kg": "公斤", "g": "克", "mg": "毫克", "cm": "厘米", "mm": "毫米", "m": "米", "km": "公里",
    "mAh": "毫安时",
}
_ZH_CURRENCY = {"¥": "元", "￥": "元", "$": "美元", "€": "欧元", "£": "英镑"}


def _zh_digits(digits: str) -> str:
    return "".join(_ZH_DIGITS[int(d)] for d in digits)


def _zh_below_10000(n: int) -> str:
    out: list[str] = []
    zero = False  # a skipped 0 between spoken digits is read once as 零
    for power in (3, 2, 1, 0):
        d = n // 10**power % 10
        if d == 0:
            zero = bool(out)
        else:
            out.append(("零" if zero else "") + _ZH_DIGITS[d] + _ZH_POWERS[power])
            zero = False
    return "".join(out)


def _zh_int(n: int) -> str:
    if n == 0:
        return "零"
    groups: list[int] = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    out: list[str] = []
    zero = False
    for i in reversed(range(len(groups))):
        if groups[i] == 0:
            zero = bool(out)
            continue
        if out and (zero or groups[i] < 1000):  # 十万零五, 一亿零一千
            out.append("零")
        out.append(_zh_below_10000(groups[i]) + _ZH_GROUPS[i])
        zero = False
    text = "".join(out)
    return text[1:] if text.startswith("一十") else text  # 12 is 十二, not 一十二


def _zh_number(token: str) -> str:
    whole, _, frac = token.replace(",", "").partition(".")
    if len(whole) > 16 or (len(whole) > 1 and whole.startswith("0")):  # "007" or huge: digit by digit
        spoken = _zh_digits(whole)
    else:
        spoken = _zh_int(int(whole))
    return spoken + ("点" + _zh_digits(frac) if frac else "")


def _zh_count(token: str, liang: bool) -> str:
    return "两" if liang and token == "2" else _zh_number(token)


def _zh_amount(token: str) -> str:
    """Prices drop trailing zeros: "199.00" is 一百九十九, "89.90" is 八十九点九."""
    if "." in token:
        token = token.rstrip("0").rstrip(".")
    return _zh_number(token)


def _zh_time(m: re.Match[str]) -> str:
    hour, minute = int(m.group(1)), int(m.group(2))
    spoken = ("两" if hour == 2 else _zh_int(hour)) + "点"
    if minute:
        spoken += ("零" if minute < 10 else "") + _zh_int(minute) + "分"
    return spoken


def _zh_date(m: re.Match[str]) -> str:
    return f"{_zh_digits(m.group(1))}年{_zh_int(int(m.group(3)))}月{_zh_int(int(m.group(4)))}日"


def _zh_generic(m: re.Match[str]) -> str:
    return _zh_count(m.group(0), liang=bool(_ZH_LIANG_NEXT.match(m.string, m.end())))


_ZH_RULES: list[_Rule] = [
    (re.compile(r"(?<!\d)(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?![\d.])"), _zh_date),
    (_PHONE, lambda m: _phone_digits(m, _zh_digits, "，")),
    (_RANGE, lambda m: "到"),
    (_TIME, _zh_time),
    (re.compile(rf"([¥￥$€£])\s*({_NUM})"), lambda m: _zh_amount(m.group(2)) + _ZH_CURRENCY[m.group(1)]),
    (re.compile(rf"({_NUM})\s*元"), lambda m: _zh_amount(m.group(1)) + "元"),
    (_PERCENT, lambda m: "百分之" + _zh_number(m.group(1))),
    # Discounts are read digit by digit: 8.5折 is 八五折, 5折 is 五折.
    (
        re.compile(r"(?<![\d.])(\d)(?:\.(\d))?\s*折"),
        lambda m: _zh_digits(m.group(1) + (m.group(2) or "")) + "折",
    ),
    (re.compile(r"(?<![\d.])(\d{4})(?=\s*年)"), lambda m: _zh_digits(m.group(1))),  # 2025年: 二零二五年
    (
        re.compile(rf"({_NUM})\s?({'|'.join(sorted(_ZH_UNITS, key=len, reverse=True))})(?![A-Za-z])"),
        lambda m: _zh_count(m.group(1), liang=True) + _ZH_UNITS[m.group(2)],
    ),
    # Model numbers: 3+ digits glued to Latin letters are read digit by digit (RTX4090); shorter as numbers.
    (re.compile(r"(?<=[A-Za-z])\d{3,}(?![\d.])|(?<![\d.])\d{3,}(?=[A-Za-z])"), lambda m: _zh_digits(m.group(0))),
    # 7+ bare digits with no unit after them are phone or order numbers: digit by digit.
    (
        re.compile(r"(?<![\d.])\d{7,}(?![\d.])(?!\s*[万亿元块件个人次单份台只瓶盒包双米克斤])"),
        lambda m: _zh_digits(m.group(0)),
    ),
    (re.compile(_NUM), _zh_generic),
]

# --- English ------------------------------------------------------------------------------------

_EN_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen"
).split()
_EN_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_EN_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand"))
_EN_ORDINAL_WORDS = {
    "one": "first", "two": "second", "three": "third", "five": "fifth",
    "eight": "eighth", "nine": "ninth", "twelve": "twelfth",
}
# symbol -> (major singular, major plural, minor singular, minor plural)
_EN_MONEY = {
    "$": ("dollar", "dollars", "cent", "cents"),
    "€": ("euro", "euros", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
}
# unit -> (singular, plural)
_EN_UNITS = {
    "ml": ("milliliter", "milliliters"), "mL": ("milliliter", "milliliters"), "ML": ("milliliter", "milliliters"),
    "l": ("liter", "liters"), "L": ("liter", "liters"), "kg": ("kilogram", "kilograms"),
    "KG": ("kilogram", "kilograms"), "Kg": ("kilogram", "kilograms"), "g": ("gram", "grams"),
    "mg": ("milligram", "milligrams"), "cm": ("centimeter", "centimeters"), "mm": ("millimeter", "millimeters"),
    "m": ("meter", "meters"), "km": ("kilometer", "kilometers"), "lb": ("pound", "pounds"),
    "lbs": ("pound", "pounds"), "oz": ("ounce", "ounces"), "pc": ("piece", "pieces"),
    "pcs": ("piece", "pieces"), "PCS": ("piece", "pieces"),
}


def _en_digits(digits: str) -> str:
    return " ".join(_EN_ONES[int(d)] for d in digits)


def _en_below_1000(n: int) -> str:
    words = []
    hundreds, rest = divmod(n, 100)
    if hundreds:
        words.append(_EN_ONES[hundreds] + " hundred")
    if rest >= 20:
        words.append(_EN_TENS[rest // 10] + (f"-{_EN_ONES[rest % 10]}" if rest % 10 else ""))
    elif rest:
        words.append(_EN_ONES[rest])
    return " ".join(words)


def _en_int(n: int) -> str:
    if n == 0:
        return "zero"
    words = []
    for value, name in _EN_SCALES:
        if n >= value:
            words.append(f"{_en_below_1000(n // value)} {name}")
            n %= value
    if n:
        words.append(_en_below_1000(n))
    return " ".join(words)


def _en_number(token: str) -> str:
    whole, _, frac = token.replace(",", "").partition(".")
    if len(whole) > 15 or (len(whole) > 1 and whole.startswith("0")):
        spoken = _en_digits(whole)
    else:
        spoken = _en_int(int(whole))
    return spoken + (" point " + _en_digits(frac) if frac else "")


def _en_ordinal(n: int) -> str:
    words = _en_int(n)
    head, sep, last = max(words.rpartition(" "), words.rpartition("-"), key=lambda p: len(p[0]))
    if last in _EN_ORDINAL_WORDS:
        last = _EN_ORDINAL_WORDS[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return head + sep + last


def _en_money(m: re.Match[str]) -> str:
    one, many, minor_one, minor_many = _EN_MONEY[m.group(1)]
    whole, _, frac = m.group(2).replace(",", "").partition(".")
    if len(frac) > 2:  # not a cent amount: read as a decimal
        return f"{_en_number(m.group(2))} {many}"
    major, minor = int(whole), int(frac.ljust(2, "0")) if frac else 0
    parts = []
    if major or not minor:
        parts.append(f"{_en_int(major)} {one if major == 1 else many}")
    if minor:
        parts.append(f"{_en_int(minor)} {minor_one if minor == 1 else minor_many}")
    return " and ".join(parts)


def _en_time(m: re.Match[str]) -> str:
    hour, minute, suffix = int(m.group(1)), int(m.group(2)), m.group(3)
    if suffix:
        period = suffix[0].upper() + "M"
    elif hour >= 13 or hour in (0, 24):  # 24-hour clock: say it the 12-hour way
        period = "AM" if hour in (0, 24) else "PM"
    else:
        period = ""  # "8:30" is ambiguous; do not invent AM/PM
    words = [_en_int(hour % 12 or 12)]
    if minute:
        words.append(("oh " if minute < 10 else "") + _en_int(minute))
    elif not period:
        words.append("o'clock")
    if period:
        words.append(period)
    return " ".join(words)


def _en_slash_date(m: re.Match[str]) -> str:
    month, day = int(m.group(1)), int(m.group(2))
    if 1 <= month <= 12 and 1 <= day <= 31:
        return f"{_en_int(month)} {_en_int(day)}"
    return f"{_en_int(month)} slash {_en_int(day)}"


def _en_unit(m: re.Match[str]) -> str:
    one, many = _EN_UNITS[m.group(2)]
    return f"{_en_number(m.group(1))} {one if m.group(1) == '1' else many}"


def _spaced(replace: Callable[[re.Match[str]], str]) -> Callable[[re.Match[str]], str]:
    """English words must not fuse with neighbouring letters ("A7" -> "A seven")."""

    def sub(m: re.Match[str]) -> str:
        text, spoken = m.string, replace(m)
        before = " " if m.start() > 0 and text[m.start() - 1].isalnum() else ""
        after = " " if m.end() < len(text) and text[m.end()].isalnum() else ""
        return before + spoken + after

    return sub


_EN_RULES: list[_Rule] = [
    (_PHONE, _spaced(lambda m: _phone_digits(m, _en_digits, ", "))),
    (_RANGE, lambda m: " to "),
    (
        re.compile(r"(?<![\d:])([01]?\d|2[0-4]):([0-5]\d)(?![\d:])(?:\s*([AaPp])\.?[Mm]\.?(?![A-Za-z]))?"),
        _spaced(_en_time),
    ),
    (re.compile(rf"([$€£])\s*({_NUM})"), _spaced(_en_money)),
    (re.compile(rf"[¥￥]\s*({_NUM})"), _spaced(lambda m: _en_number(m.group(1)) + " yuan")),
    (_PERCENT, _spaced(lambda m: _en_number(m.group(1)) + " percent")),
    (re.compile(r"(?<![\d.])(\d+)(?:st|nd|rd|th)(?![A-Za-z])", re.I), _spaced(lambda m: _en_ordinal(int(m.group(1))))),
    (re.compile(r"(?<![\d/.])(\d{1,2})/(\d{1,2})(?![\d/])"), _spaced(_en_slash_date)),  # 11/11
    (
        re.compile(rf"({_NUM})\s?({'|'.join(sorted(_EN_UNITS, key=len, reverse=True))})(?![A-Za-z])"),
        _spaced(_en_unit),
    ),
    (
        re.compile(r"(?<=[A-Za-z])\d{3,}(?![\d.])|(?<![\d.])\d{3,}(?=[A-Za-z])"),
        _spaced(lambda m: _en_digits(m.group(0))),
    ),
    # 10+ bare digits are phone or order numbers; smaller values (written or not with commas) are amounts.
    (re.compile(r"(?<![\d.])\d{10,}(?![\d.])"), _spaced(lambda m: _en_digits(m.group(0)))),
    (re.compile(_NUM), _spaced(lambda m: _en_number(m.group(0)))),
]
