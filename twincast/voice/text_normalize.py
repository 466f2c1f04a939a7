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
# Emails and bare domains ("taobao.com", "shop.example.cn/x") are dropped like URLs: nobody reads them out.
# Only common shop TLDs count, so "No.1" or "v2.0" are not mistaken for domains.
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_DOMAIN = re.compile(
    r"(?<![A-Za-z0-9.@\-])(?:[A-Za-z0-9\-]+\.)+(?:com|cn|net|org|hk|tw|shop|store|top|xyz|io)"
    r"(?![A-Za-z0-9\-])(?:/[A-Za-z0-9\-._~/?#=&%]*)?",
    re.I,
)
# Shouted sale words are lowered so that no engine spells them out letter by letter ("O F F").
_SHOUTED = re.compile(r"\b(?:OFF|SALE|FREE|NEW|HOT|NOW|BUY|GET|ONLY|DEALS?|SAVE|LIMITED)\b")
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2190-\u21FF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D\u20E3]")
_BANG_RUN = re.compile(r"([!?！？])[!?！？]+")  # "！！！" or "?!?" -> one mark, one pause
_PUNCT_RUN = re.compile(r"([。，,.~～…、；;：:])\1+")
_SPACES = re.compile(r"\s+")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+(?=[，。！？、；：,.!?;:)）])")
# Mandarin needs no spaces between characters; a dropped URL or emoji leaves one behind.
_SPACE_BETWEEN_CJK = re.compile(r"(?<=[\u4e00-\u9fff，。！？、；：])\s+(?=[\u4e00-\u9fff])")
# Dashed phone numbers: three or more groups ("400-820-8820") or area code + 7-8 digits.
_PHONE = re.compile(r"(?<![\d-])(?:\d{1,4}(?:-\d{2,4}){2,3}|\d{3,4}-\d{7,8})(?![\d-])")
_RANGE = re.compile(r"(?<=\d)\s*[~～]\s*(?=[$¥￥€£]?\d)|(?<=\d)-(?=[$¥￥€£]?\d)")  # "100-200", "$10-$20"
_TIME = re.compile(r"(?<![\d:])([01]?\d|2[0-4]):([0-5]\d)(?![\d:])")
_PERCENT = re.compile(rf"({_NUM})\s*[%％]")
# "1:1", "16:9": two numbers around a colon that are not a clock time (the time rule runs first).
_RATIO = re.compile(r"(?<![\d:.])(\d+):(\d+)(?![\d:])")
# A sign belongs to a number only where no letter or digit stands before it: "X-200" and "3-5" keep theirs.
_SIGN = re.compile(r"(?<![A-Za-z0-9.])([-−+])(?=[$¥￥€£]?\d)")
# Celsius or Fahrenheit, optionally signed: "-5°C", "38℃", "100 °F".
_TEMPERATURE = re.compile(rf"(?:(?<![A-Za-z0-9.])([-−+]))?({_NUM})\s*(?:°\s*([CF])(?![A-Za-z])|([℃℉]))")
_DEGREES = re.compile(rf"({_NUM})\s*°")  # "360°"
_NUMBER_SIGN = re.compile(r"(?<![A-Za-z])(?:[Nn][Oo]\.|#)\s*(\d+)(?![\d.])")  # "No.1", "NO. 3", "#1"
# "10k", "1.2k", "10K+": thousands. A single digit with a capital or small k and nothing after it is
# a screen resolution ("4K", "8K") and stays a letter.
_THOUSANDS = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s?[kK](\+)?(?![A-Za-z\d])")
# Fractions people write in shop text have small denominators ("1/2", "3/4", "2/3"); a top that is not
# smaller than the bottom ("11/11", "6/18" aside) is a date, not a fraction.
_SLASH_PAIR = re.compile(r"(?<![\d/.])(\d{1,2})/(\d{1,2})(?![\d/]|\.\d)")
# A multiplier: "x2", "×2", "*2" (so many of them, or times), and "2x", "3X" (so many times).
_TIMES_BEFORE = re.compile(r"(?:(?<![A-Za-z])x|[×*])\s*(\d+)(?![\d.])")
_TIMES_AFTER = re.compile(r"(?<![\d.])(\d+)\s?[xX×](?![A-Za-z\d])")
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
    """Drop what must not be spoken (URLs, emails, emoji) and repeated punctuation."""
    text = _URL.sub(" ", text)
    text = _EMAIL.sub(" ", text)
    text = _DOMAIN.sub(" ", text)
    text = _SHOUTED.sub(lambda m: m.group(0).lower(), text)
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
_ZH_MEASURE = (
    r"件|个|公斤|千克|斤|瓶|盒|包|双|只|台|米|克|升|块|条|张|次|天|小时|分钟|位|袋|支|罐|箱|份|款|种|"
    r"年|周|套|杯|片|点|岁|倍|人|单|颗|粒|对|组|角|毛|美元|欧元|英镑|港币|日元"
)
# A bare 2 before a measure word or a power is read 两 ("两件", "两万"), also when it opens a range
# ("2-3个工作日" is 两到三个); after 第 it is an ordinal and stays 二 ("第2件" is 第二件).
_ZH_LIANG_NEXT = re.compile(rf"(?:\s*到\s*\d+(?:\.\d+)?)?\s*(?:{_ZH_MEASURE}|万|亿|千|百)")
_ZH_UNITS = {
    "ml": "毫升", "mL": "毫升", "ML": "毫升", "l": "升", "L": "升", "kg": "公斤", "KG": "公斤",
    "Kg": "公斤", "g": "克", "mg": "毫克", "cm": "厘米", "mm": "毫米", "m": "米", "km": "公里",
    "mAh": "毫安时", "GB": "G", "G": "G", "TB": "T",  # storage is said "两百五十六G", not 二五六GB
}
_ZH_CURRENCY = {"¥": "元", "￥": "元", "$": "美元", "€": "欧元", "£": "英镑"}


def _zh_digits(digits: str) -> str:
    return "".join(_ZH_DIGITS[int(d)] for d in digits)


def _zh_below_10000(n: int, liang: bool = False, lead: bool = False) -> str:
    out: list[str] = []
    zero = False  # a skipped 0 between spoken digits is read once as 零
    for power in (3, 2, 1, 0):
        d = n // 10**power % 10
        if d == 0:
            zero = bool(out)
        else:
            # Spoken amounts say 两千 anywhere and 两百 to open a number (两百, 两千二百), never 两十.
            two = liang and d == 2 and (power == 3 or (power == 2 and lead and not out))
            out.append(("零" if zero else "") + ("两" if two else _ZH_DIGITS[d]) + _ZH_POWERS[power])
            zero = False
    return "".join(out)


def _zh_int(n: int, liang: bool = False) -> str:
    """`n` in characters; `liang` for amounts and counts (两百, 两千, 两万), not for dates or clock hours."""
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
        if liang and i and groups[i] == 2:  # 两万, 两亿
            out.append("两" + _ZH_GROUPS[i])
        else:
            out.append(_zh_below_10000(groups[i], liang, lead=not out) + _ZH_GROUPS[i])
        zero = False
    text = "".join(out)
    return text[1:] if text.startswith("一十") else text  # 12 is 十二, not 一十二


def _zh_number(token: str) -> str:
    whole, _, frac = token.replace(",", "").partition(".")
    if len(whole) > 16 or (len(whole) > 1 and whole.startswith("0")):  # "007" or huge: digit by digit
        spoken = _zh_digits(whole)
    else:
        spoken = _zh_int(int(whole), liang=True)
    return spoken + ("点" + _zh_digits(frac) if frac else "")


def _zh_count(token: str, liang: bool) -> str:
    return "两" if liang and token == "2" else _zh_number(token)


def _zh_amount(token: str) -> str:
    """Prices drop trailing zeros: "199.00" is 一百九十九, "89.90" is 八十九点九; ¥2 is 两元."""
    if "." in token:
        token = token.rstrip("0").rstrip(".")
    return _zh_count(token, liang=True)


def _zh_time(m: re.Match[str]) -> str:
    hour, minute = int(m.group(1)), int(m.group(2))
    spoken = ("两" if hour == 2 else _zh_int(hour)) + "点"
    if minute:
        spoken += ("零" if minute < 10 else "") + _zh_int(minute) + "分"
    return spoken


def _zh_date(m: re.Match[str]) -> str:
    return f"{_zh_digits(m.group(1))}年{_zh_int(int(m.group(3)))}月{_zh_int(int(m.group(4)))}日"


def _zh_slash(m: re.Match[str]) -> str:
    top, bottom = int(m.group(1)), int(m.group(2))
    if 0 < top < bottom <= 10:
        return f"{_zh_int(bottom)}分之{_zh_int(top)}"  # 3/4 is 四分之三
    if 1 <= top <= 12 and 1 <= bottom <= 31:
        return f"{_zh_int(top)}月{_zh_int(bottom)}日"  # 11/11 is 十一月十一日
    return m.group(0)


def _zh_sign(m: re.Match[str]) -> str:
    """A sign reads by what it signs: money is 减/加 (立减, 加价购), a percent 减少/增加, else 负/加."""
    after = m.string[m.end() :]
    plus = m.group(1) == "+"
    if after[0] in _ZH_CURRENCY or re.match(rf"{_NUM}\s*[元块]", after):
        return "加" if plus else "减"
    if _PERCENT.match(after):
        return "增加" if plus else "减少"
    return "加" if plus else "负"


def _zh_temperature(m: re.Match[str]) -> str:
    below = "零下" if m.group(1) in ("-", "−") else ""
    if (m.group(3) or m.group(4)) in ("F", "℉"):
        return f"华氏{below}{_zh_number(m.group(2))}度"
    return f"{below}{_zh_number(m.group(2))}摄氏度"


def _zh_thousands(m: re.Match[str]) -> str:
    whole, _, frac = m.group(1).partition(".")
    if (len(whole) == 1 and not frac and not m.group(2)) or len(frac) > 3:
        return m.group(0)  # "4K" is a resolution
    spoken = _zh_int(int(whole) * 1000 + int(frac.ljust(3, "0") or 0), liang=True)
    if frac and not m.group(2):
        # "1.2k" is said 一千二: the last power after a spoken digit is dropped, as in 一万五.
        spoken = re.sub(r"(?<=[千百万])([一两二三四五六七八九])[百十千]$", r"\1", spoken)
    return spoken + ("多" if m.group(2) else "")


def _zh_plus_after(m: re.Match[str]) -> str:
    """A trailing + after a round number is 多 ("3万+" 三万多); after any other it is read 加 ("18+")."""
    return "多" if m.group(1) in "0万千百亿" else "加"


def _zh_number_sign(m: re.Match[str]) -> str:
    """销量No.1 is 销量第一; "#3链接" is 三号链接."""
    if m.group(0)[0] == "#":
        return _zh_int(int(m.group(1))) + "号"
    return "第" + _zh_int(int(m.group(1)))


def _zh_generic(m: re.Match[str]) -> str:
    ordinal = m.start() > 0 and m.string[m.start() - 1] == "第"
    return _zh_count(m.group(0), liang=not ordinal and bool(_ZH_LIANG_NEXT.match(m.string, m.end())))


def _zh_liang_if_measure(m: re.Match[str], token: str) -> str:
    return _zh_count(token, liang=bool(_ZH_LIANG_NEXT.match(m.string, m.end())))


_ZH_RULES: list[_Rule] = [
    (re.compile(r"(?<!\d)(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?![\d.])"), _zh_date),
    (_PHONE, lambda m: _phone_digits(m, _zh_digits, "，")),
    (re.compile(r"(满\s*\d+(?:\.\d+)?)\s*-\s*(?=\d)"), lambda m: m.group(1) + "减"),  # 满300-50 is 满三百减五十
    (_RANGE, lambda m: "到"),
    (_TIME, _zh_time),
    (_RATIO, lambda m: f"{_zh_number(m.group(1))}比{_zh_number(m.group(2))}"),  # 1:1 is 一比一
    (_TEMPERATURE, _zh_temperature),
    (re.compile(rf"[-−]({_NUM})\s*(?=度)"), lambda m: "零下" + _zh_number(m.group(1))),  # 气温-5度
    (_DEGREES, lambda m: _zh_number(m.group(1)) + "度"),
    (_SIGN, _zh_sign),
    (_NUMBER_SIGN, _zh_number_sign),
    (_THOUSANDS, _zh_thousands),
    (re.compile(r"(?<=\d)\s?(?:w|W(?=\+))(?![A-Za-z])"), lambda m: "万"),  # 2w, 10W+: 万 typed short
    # A capital W is watts only where charging is named: "10W粉丝" would be 万 too.
    (re.compile(r"(?<=\d)\s?W(?=\s*(?:快充|闪充|超级快充|充电|功率|有线|无线))"), lambda m: "瓦"),
    (re.compile(r"([\d万千百亿])\s*\+(?!\s*\d)"), lambda m: m.group(1) + _zh_plus_after(m)),
    (re.compile(r"(?<=\d)\s*\+\s*(?=\d)"), lambda m: "加"),  # 3+1
    (re.compile(rf"([¥￥$€£])\s*({_NUM})"), lambda m: _zh_amount(m.group(2)) + _ZH_CURRENCY[m.group(1)]),
    (re.compile(rf"({_NUM})\s*元"), lambda m: _zh_amount(m.group(1)) + "元"),
    # A price per unit: 99元/2件 is 九十九元两件, ¥199/件 is 一百九十九元一件.
    (re.compile(rf"(?<=元)\s*/\s*(?=\d|{_ZH_MEASURE})"), lambda m: "" if m.string[m.end()].isdigit() else "一"),
    (_PERCENT, lambda m: "百分之" + _zh_number(m.group(1))),
    # Discounts are read digit by digit: 8.5折 is 八五折, 5折 is 五折.
    (
        re.compile(r"(?<![\d.])(\d)(?:\.(\d))?\s*折"),
        lambda m: _zh_digits(m.group(1) + (m.group(2) or "")) + "折",
    ),
    (re.compile(r"(?<![\d.])(\d{4})(?=\s*年)"), lambda m: _zh_digits(m.group(1))),  # 2025年: 二零二五年
    (_SLASH_PAIR, _zh_slash),
    # 2x is 两倍; x2, ×2 is 乘二 (乘两袋 before a measure word), 7×24小时 is 七乘二十四小时.
    (_TIMES_AFTER, lambda m: _zh_count(m.group(1), liang=True) + "倍"),
    (_TIMES_BEFORE, lambda m: "乘" + _zh_liang_if_measure(m, m.group(1))),
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
    "pcs": ("piece", "pieces"), "PCS": ("piece", "pieces"), "mAh": ("milliamp hour", "milliamp hours"),
    "GB": ("gigabyte", "gigabytes"), "TB": ("terabyte", "terabytes"), "MB": ("megabyte", "megabytes"),
    "W": ("watt", "watts"),
}
_EN_MONTHS = {
    "jan": "January", "feb": "February", "mar": "March", "apr": "April", "may": "May", "jun": "June",
    "jul": "July", "aug": "August", "sep": "September", "oct": "October", "nov": "November", "dec": "December",
}
# Capitalised only: "may" and "mar" are also ordinary words.
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b\.?"
)
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?(?![\d:A-Za-z])"
_YEAR = r"((?:19|20)\d\d)(?![\d%A-Za-z]|[.,]\d)"
# A four-digit number is spoken as a year only where it clearly is one: after these words, or next to a
# month. Elsewhere "2026 items" stays an amount.
_YEAR_CUE = r"\b(?:[Ii]n|[Ss]ince|[Ff]rom|[Uu]ntil|[Tt]ill|[Bb]y|[Bb]efore|[Aa]fter|[Dd]uring|[Cc]lass of|[Ee]st\.)|©"
_EN_FRACTIONS = {2: ("half", "halves"), 4: ("quarter", "quarters")}
_EN_PER = {"ea": "each", "mo": "per month", "yr": "per year", "day": "per day"}


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


def _en_year(n: int) -> str:
    """1998 nineteen ninety-eight, 2008 two thousand eight, 2026 twenty twenty-six, 1905 nineteen oh five."""
    if not 1000 <= n <= 9999 or 2000 <= n <= 2009:
        return _en_int(n)
    high, low = divmod(n, 100)
    if not low:
        return _en_int(high) + " hundred"
    return f"{_en_int(high)} {'oh ' if low < 10 else ''}{_en_int(low)}"


def _en_date(month: str, day: str | None, year: str | None) -> str:
    """Every written date is said month first: "November eleventh, twenty twenty-six"."""
    spoken = _EN_MONTHS[month[:3].lower()]
    if day:
        spoken += " " + _en_ordinal(int(day))
    if year:
        spoken += (", " if day else " ") + _en_year(int(year))
    return spoken


def _en_numeric_date(month: str, day: str, year: str | None, source: str) -> str:
    if not (1 <= int(month) <= 12 and 1 <= int(day) <= 31):
        return source
    return _en_date(list(_EN_MONTHS.values())[int(month) - 1], day, year)


def _en_month_day(m: re.Match[str]) -> str:
    if not 1 <= int(m.group(2)) <= 31:
        return m.group(0)
    spoken = _en_date(m.group(1).rstrip("."), m.group(2), None)
    if m.group(3):  # "Oct 1-7": first to seventh
        spoken += " to " + _en_ordinal(int(m.group(3)))
    return spoken + (", " + _en_year(int(m.group(4))) if m.group(4) else "")


def _en_years(m: re.Match[str]) -> str:
    spoken = f"{m.group(1)} {_en_year(int(m.group(2)))}"
    return spoken + (f" to {_en_year(int(m.group(3)))}" if m.group(3) else "")


def _en_decade(m: re.Match[str]) -> str:
    """The 1990s are the nineteen nineties; the 2000s the two thousands."""
    spoken = _en_year(int(m.group(1)))
    return spoken[:-1] + "ies" if spoken.endswith("y") else spoken + "s"


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
    if (month, day) == (24, 7):
        return "twenty-four seven"
    if 0 < month < day <= 10:  # a fraction: one half, three quarters, two thirds
        one, many = _EN_FRACTIONS.get(day, (_en_ordinal(day), _en_ordinal(day) + "s"))
        return f"{_en_int(month)} {one if month == 1 else many}"
    if 1 <= month <= 12 and 1 <= day <= 31:
        return f"{_en_int(month)} {_en_int(day)}"
    return f"{_en_int(month)} slash {_en_int(day)}"


def _en_temperature(m: re.Match[str]) -> str:
    sign = "minus " if m.group(1) in ("-", "−") else ""
    scale = "Fahrenheit" if (m.group(3) or m.group(4)) in ("F", "℉") else "Celsius"
    return f"{sign}{_en_number(m.group(2))} {'degree' if m.group(2) == '1' else 'degrees'} {scale}"


def _en_scaled(m: re.Match[str], name: str) -> str:
    whole, _, frac = m.group(1).partition(".")
    if name == "thousand" and len(whole) == 1 and not frac and not m.group(2):
        return m.group(0)  # "4K" is a resolution
    return f"{_en_number(m.group(1))} {name}" + (" plus" if m.group(2) else "")


def _en_per(m: re.Match[str]) -> str:
    """After a price a slash is "for" before a count ("$99/2 pcs") and "per" before a unit ("$5/lb")."""
    word = m.group(2)
    if word is None:
        return m.group(1) + " for "
    if word in _EN_PER:
        return f"{m.group(1)} {_EN_PER[word]}"
    return f"{m.group(1)} per {_EN_UNITS[word][0] if word in _EN_UNITS else word}"


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
    # Dates first: "2026-11-11" would otherwise pass for a phone number and "Oct 1-7" for a range.
    (
        re.compile(r"(?<![\d\-/.])(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?![\d\-/]|\.\d)"),
        _spaced(lambda m: _en_numeric_date(m.group(3), m.group(4), m.group(1), m.group(0))),
    ),
    (
        re.compile(r"(?<![\d/.])(\d{1,2})/(\d{1,2})/(\d{4})(?![\d/])"),  # US order: 11/11/2026
        _spaced(lambda m: _en_numeric_date(m.group(1), m.group(2), m.group(3), m.group(0))),
    ),
    (
        re.compile(rf"({_MONTH})\s+{_DAY}(?:\s*[-–~]\s*{_DAY})?(?:,?\s+{_YEAR})?"),
        _spaced(_en_month_day),
    ),
    (
        re.compile(rf"(?<![\d.]){_DAY}\s+({_MONTH})(?:,?\s+{_YEAR})?"),  # 11 Nov 2026
        _spaced(lambda m: _en_date(m.group(2).rstrip("."), m.group(1), m.group(3))
                if 1 <= int(m.group(1)) <= 31 else m.group(0)),
    ),
    (re.compile(rf"({_MONTH})\s+{_YEAR}"), lambda m: _en_date(m.group(1).rstrip("."), None, m.group(2))),
    (re.compile(rf"(?<![\d.]){_YEAR}(?=\s+{_MONTH})"), lambda m: _en_year(int(m.group(1)))),  # 2026 Nov
    (_PHONE, _spaced(lambda m: _phone_digits(m, _en_digits, ", "))),
    (_RANGE, lambda m: " to "),
    (re.compile(rf"({_YEAR_CUE})\s*{_YEAR}(?:\s*(?:-|–|to)\s*{_YEAR})?"), _en_years),
    (re.compile(r"(?<![\d.])((?:19|20)\d0)s\b"), _en_decade),
    (
        re.compile(r"(?<![\d:])([01]?\d|2[0-4]):([0-5]\d)(?![\d:])(?:\s*([AaPp])\.?[Mm]\.?(?![A-Za-z]))?"),
        _spaced(_en_time),
    ),
    # Hour only, with am/pm: "8am" is eight AM.
    (
        re.compile(r"(?<![\d:.])(1[0-2]|0?[1-9])\s*([AaPp])\.?[Mm]\.?(?![A-Za-z])"),
        _spaced(lambda m: f"{_en_int(int(m.group(1)))} {m.group(2).upper()}M"),
    ),
    (_RATIO, _spaced(lambda m: f"{_en_number(m.group(1))} to {_en_number(m.group(2))}")),  # 1:1 is one to one
    (_TEMPERATURE, _spaced(_en_temperature)),
    (_DEGREES, _spaced(lambda m: _en_number(m.group(1)) + (" degree" if m.group(1) == "1" else " degrees"))),
    (_SIGN, lambda m: "plus " if m.group(1) == "+" else "minus "),
    (_NUMBER_SIGN, _spaced(lambda m: "number " + _en_number(m.group(1)))),
    (_THOUSANDS, _spaced(lambda m: _en_scaled(m, "thousand"))),
    (re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s?M(\+)?(?![A-Za-z\d])"), _spaced(lambda m: _en_scaled(m, "million"))),
    (re.compile(r"(?<=\d)\s*\+"), lambda m: " plus "),  # 3+1, 1,000+ reviews, $50+
    (re.compile(rf"([$€£])\s*({_NUM})"), _spaced(_en_money)),
    (re.compile(rf"[¥￥]\s*({_NUM})"), _spaced(lambda m: _en_number(m.group(1)) + " yuan")),
    (re.compile(r"\b(dollars?|cents?|euros?|pounds?|pence|penny|yuan)\s*/\s*(?:(?=\d)|([A-Za-z]+)\b)"), _en_per),
    (_PERCENT, _spaced(lambda m: _en_number(m.group(1)) + " percent")),
    (re.compile(r"(?<![\d.])(\d+)(?:st|nd|rd|th)(?![A-Za-z])", re.I), _spaced(lambda m: _en_ordinal(int(m.group(1))))),
    (re.compile(r"(?<![\d.])(\d+\.\d+)\s*/\s*(\d+)(?![\d/.])"),  # a rating: 4.8/5
     _spaced(lambda m: f"{_en_number(m.group(1))} out of {_en_number(m.group(2))}")),
    (_SLASH_PAIR, _spaced(_en_slash_date)),  # 11/11, 1/2, 24/7
    (_TIMES_AFTER, _spaced(lambda m: _en_number(m.group(1)) + " times")),  # 3x points
    (_TIMES_BEFORE, _spaced(lambda m: "times " + _en_number(m.group(1)))),  # lipstick x2
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
