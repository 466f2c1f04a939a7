"""A CSV catalogue: one product per row, lists and pairs packed into cells.

Columns (header row required, any order, names case-insensitive; only sku, name, price and
stock are required; an empty cell means "not given"):

    sku, name, price, list_price, stock,
    aliases           "保温杯|水杯"                 (| between items)
    selling_points    "24小时保温|316不锈钢内胆"
    specs             "容量=500ml|材质=316不锈钢"   (name=value, | between)
    coupon_threshold, coupon_off, coupon_percent_off, coupon_expires (2026-12-31 or 2026-12-31T20:00)
    shipping_from, shipping_days, shipping_free (true/false, yes/no, 是/否, 包邮/不包邮, 1/0)
    faq               "能装开水吗=>能，耐热100℃||可以进洗碗机吗=>建议手洗"  (q=>a, || between)

Chinese headers, as shop back-ends (千牛, 抖店, 快手小店, 拼多多) export them, mean the same:

    sku                商品编码 商家编码 货号 商品货号 SKU编码
    name               商品名称 商品标题 标题 名称 商品名 品名
    price              价格 售价 直播价 到手价 现价 销售价
    list_price         原价 划线价 市场价 吊牌价 专柜价
    stock              库存 库存数量 可售库存 库存数
    aliases            别名 商品别名 简称
    selling_points     卖点 商品卖点
    specs              规格参数 商品参数 参数 规格
    coupon_threshold   满 满减门槛 优惠券门槛 使用门槛
    coupon_off         减 立减 满减金额 优惠券面额
    coupon_percent_off 折扣           (written 8.5折 or 85折, i.e. pay 85%: 15 percent off)
    coupon_expires     优惠券有效期 优惠截止日期
    shipping_from      发货地 发货地址 发货地区
    shipping_days      发货时效 发货天数
    shipping_free      包邮 是否包邮
    faq                常见问题 问答

A header may carry spaces, a leading '*' (required-field mark) and trailing notes in brackets:
"价格（元）", "*商品编码", "库存(件)" and "price (CNY)" all name their column. Number cells
may be written "¥1,299.00" / "89.9元" (only in a CNY catalogue: ¥ is also the yen sign),
"300件", "2天" and "15%"; in any percent-off column "8.5折" means 15 percent off.

Lines before the header that start with '#' may set `#currency=CNY` and `#language=zh`;
other '#' rows anywhere are comments. Row numbers are the file's line numbers (the header
is row 1 when there are no comment lines), which is what Excel shows for ordinary files."""

from __future__ import annotations

import csv
import difflib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from twincast.errors import TwincastError

COLUMNS = (
    "sku", "name", "price", "list_price", "stock", "aliases", "selling_points", "specs",
    "coupon_threshold", "coupon_off", "coupon_percent_off", "coupon_expires",
    "shipping_from", "shipping_days", "shipping_free", "faq",
)
ZH_COLUMNS = {
    "sku": ("商品编码", "商家编码", "货号", "商品货号", "SKU编码"),
    "name": ("商品名称", "商品标题", "标题", "名称", "商品名", "品名"),
    "price": ("价格", "售价", "直播价", "到手价", "现价", "销售价"),
    "list_price": ("原价", "划线价", "市场价", "吊牌价", "专柜价"),
    "stock": ("库存", "库存数量", "可售库存", "库存数"),
    "aliases": ("别名", "商品别名", "简称"),
    "selling_points": ("卖点", "商品卖点"),
    "specs": ("规格参数", "商品参数", "参数", "规格"),
    "coupon_threshold": ("满", "满减门槛", "优惠券门槛", "使用门槛"),
    "coupon_off": ("减", "立减", "满减金额", "优惠券面额"),
    # Chinese merchants write discounts as 折 (what is paid), never as percent off: a bare 8.5
    # under 折扣 would be read as 8.5% off instead of 15%, so that column takes only N折.
    "coupon_percent_off": ("折扣",),
    # Not plain 有效期: on cosmetics and food that is the product's own expiry date.
    "coupon_expires": ("优惠券有效期", "优惠截止日期"),
    "shipping_from": ("发货地", "发货地址", "发货地区"),
    "shipping_days": ("发货时效", "发货天数"),
    "shipping_free": ("包邮", "是否包邮"),
    "faq": ("常见问题", "问答"),
}
REQUIRED = ("sku", "name", "price", "stock")
HEADER_KEYS = ("currency", "language")
_PLAIN = ("sku", "name", "price", "list_price", "stock")
_YES_NO = {"是": "true", "否": "false", "包邮": "true", "免邮": "true", "不包邮": "false"}
_SPELLINGS = {c: c for c in COLUMNS} | {zh: c for c, names in ZH_COLUMNS.items() for zh in names}
_FIELDS = {spelling.lower(): c for spelling, c in _SPELLINGS.items()}
_SHOWN = {spelling.lower(): spelling for spelling in _SPELLINGS}  # how to suggest a name
_ZHE_HEADERS = {"折扣"}
_NOTES = re.compile(r"(?:[(\[【][^()\[\]【】]*[)\]】])+$")  # after NFKC, （元） is (元)
# Groups of three only: "1,29" is a European decimal or a typo, never 129.
_NUMBER = r"([-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)"
_MONEY = ("price", "list_price", "coupon_threshold", "coupon_off")
_UNITS = {"stock": "[件个]", "shipping_days": "天", "coupon_percent_off": "%"}
_ZHE = re.compile(r"(\d+(?:\.\d+)?)折")


@dataclass
class CsvProblem:
    row: int
    column: str
    sku: str | None
    message: str


@dataclass
class CsvCatalog:
    top: dict = field(default_factory=dict)  # currency / language from '#key=value' lines
    products: list[dict] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)  # file row of each product
    problems: list[CsvProblem] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # field -> its header as the file writes it


def parse_csv(text: str, name: str, max_products: int, currency: str | None = None) -> CsvCatalog:
    """`currency` is the one the caller falls back on when the file gives no #currency."""
    out = CsvCatalog()
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    yuan = False
    last_line = 0
    try:
        for cells in reader:
            row, last_line = last_line + 1, reader.line_num
            if cells:
                # read_source drops a leading BOM, but one also sits mid-file where '#' lines were
                # put in front of an exported file.
                cells[0] = cells[0].lstrip("\ufeff")
            if not any(c.strip() for c in cells):
                continue
            first = cells[0].strip()
            if first.startswith("#"):
                if header is None:
                    _header_setting(first[1:], cells, row, name, out.top)
                continue
            if header is None:
                header, out.columns = _header(cells, row, name)
                # catalog_io assumes CNY when neither the file nor the caller says
                yuan = (out.top.get("currency") or currency or "CNY") == "CNY"
                continue
            if len(out.products) >= max_products:
                raise TwincastError(f"{name}: more than {max_products:,} products", "split the catalogue into smaller files")
            out.rows.append(row)
            out.products.append(_product(header, cells, row, out, yuan))
    except csv.Error as exc:
        raise TwincastError(f"{name} row {reader.line_num}: not valid CSV ({exc})", "check the quotes on that row (a cell with a comma or newline is written in \"double quotes\")") from None
    if header is None:
        raise TwincastError(f"{name}: no header row", f"the first row names the columns: {','.join(COLUMNS)}")
    return out


def _header_setting(setting: str, cells: list[str], row: int, name: str, top: dict) -> None:
    if "=" not in setting or any(c.strip() for c in cells[1:]):
        return  # a comment
    key, value = (part.strip() for part in setting.split("=", 1))
    if key.lower() not in HEADER_KEYS:
        raise TwincastError(f"{name} row {row}: unknown setting #{key}", "only #currency=CNY and #language=zh (or en) may come before the header")
    top[key.lower()] = value


def _header(cells: list[str], row: int, name: str) -> tuple[list[str], dict[str, str]]:
    """The field of each column, and each field's header as written (for error messages)."""
    written = [c.strip() for c in cells]
    while written and not written[-1]:
        written.pop()  # Excel's trailing empty columns
    fields = [_FIELDS.get(_key(w)) for w in written]
    unknown = [_unknown(w) for w, f in zip(written, fields) if f is None]
    if unknown:
        chinese = " ".join(names[0] for names in ZH_COLUMNS.values())
        raise TwincastError(
            f"{name} row {row}: unknown column(s) {', '.join(unknown)}",
            f"delete the columns the room does not use (images, IDs …) and name the others {','.join(COLUMNS)} or in Chinese {chinese} …",
        )
    by_field: dict[str, list[str]] = {}
    for w, f in zip(written, fields):
        by_field.setdefault(f, []).append(w)
    twice = [f"columns {' and '.join(repr(w) for w in ws)} are the same field ({f})" for f, ws in by_field.items() if len(ws) > 1]
    if twice:
        raise TwincastError(f"{name} row {row}: {'; '.join(twice)}", "keep one of each and delete the other")
    missing = [f"{c} ({ZH_COLUMNS[c][0]})" for c in REQUIRED if c not in by_field]
    if missing:
        raise TwincastError(f"{name} row {row}: the header lacks {', '.join(missing)}", f"every catalogue needs the columns {','.join(REQUIRED)}")
    return fields, {f: ws[0] for f, ws in by_field.items()}


def _key(header: str) -> str:
    """'价格（元）', ' *商品名称', 'Price (CNY)' -> '价格', '商品名称', 'price'."""
    key = unicodedata.normalize("NFKC", header).strip().strip("*").strip()
    return _NOTES.sub("", key).strip().lower()


def _unknown(header: str) -> str:
    if not _key(header):
        return f"{header!r} (a column with no name)"
    close = difflib.get_close_matches(_key(header), _FIELDS, n=1)
    return f"{header!r} (did you mean {_SHOWN[close[0]]!r}?)" if close else repr(header)


def _product(header: list[str], cells: list[str], row: int, out: CsvCatalog, yuan: bool) -> dict:
    values = {h: c.strip() for h, c in zip(header, cells) if c.strip()}
    sku = values.get("sku")
    extra = [c for c in cells[len(header):] if c.strip()]
    if extra:
        out.problems.append(CsvProblem(row, f"#{len(header) + 1}", sku, f"{len(header) + len(extra)} cells but the header has {len(header)} columns; a cell with a comma must be in \"double quotes\""))

    def bad(column: str, message: str) -> None:
        out.problems.append(CsvProblem(row, out.columns.get(column, column), sku, message))

    if "coupon_percent_off" in values:
        percent = _zhe(values["coupon_percent_off"])
        if percent is not None:
            values["coupon_percent_off"] = percent
        elif _key(out.columns["coupon_percent_off"]) in _ZHE_HEADERS:
            bad("coupon_percent_off", f"{values['coupon_percent_off']!r} is not a discount in 折; write e.g. 8.5折 or 85折 (pay 85%, 15% off)")
    for column in _MONEY + tuple(_UNITS):
        if column in values:
            values[column] = _bare_number(values[column], column, yuan)
    product: dict = {k: values[k] for k in _PLAIN if k in values}
    for column in ("aliases", "selling_points"):
        if column in values:
            product[column] = [item.strip() for item in values[column].split("|") if item.strip()]
    if "specs" in values:
        product["specs"] = _pairs(values["specs"], "|", "=", "specs", "容量=500ml|材质=316不锈钢", bad)
    if "faq" in values:
        pairs = _pairs(values["faq"], "||", "=>", "faq", "能装开水吗=>能||保修多久=>一年", bad)
        product["faq"] = [{"q": q, "a": a} for q, a in pairs.items()]
    coupon = {k[len("coupon_"):]: v for k, v in values.items() if k.startswith("coupon_")}
    if coupon:
        product["coupon"] = coupon
    shipping = {k[len("shipping_"):]: v for k, v in values.items() if k.startswith("shipping_")}
    if "free" in shipping:
        shipping["free"] = _YES_NO.get(shipping["free"], shipping["free"])
    if shipping:
        product["shipping"] = shipping
    return product


def _bare_number(cell: str, column: str, yuan: bool) -> str:
    """'¥1,299.00', '89.9元', '300件' -> '1299.00', '89.9', '300'; a cell it cannot read is
    kept as it is, for the model to reject with the row and column."""
    text = unicodedata.normalize("NFKC", cell).replace(" ", "")  # ￥ -> ¥, full-width digits
    if column in _MONEY:
        pattern = rf"¥?{_NUMBER}元?" if yuan else _NUMBER
    else:
        pattern = rf"{_NUMBER}(?:{_UNITS[column]})?"
    match = re.fullmatch(pattern, text)
    return match.group(1).replace(",", "") if match else cell


def _zhe(cell: str) -> str | None:
    """'8.5折' / '85折' (pay 85%) -> '15' percent off; None if the cell is not a discount in 折."""
    match = _ZHE.fullmatch(unicodedata.normalize("NFKC", cell).replace(" ", ""))
    if not match:
        return None
    n = Decimal(match.group(1))
    if n < 10:
        pay = n * 10
    elif n < 100 and n == int(n) and n % 10:  # 85折 is 8.5折; 10折 or 850折 mean nothing
        pay = n
    else:
        return None
    return str(100 - pay)


def _pairs(cell: str, between: str, joiner: str, column: str, example: str, bad) -> dict[str, str]:  # noqa: ANN001
    out: dict[str, str] = {}
    for item in (part.strip() for part in cell.split(between)):
        if not item:
            continue
        key, sep, value = item.partition(joiner)
        if not sep or not key.strip() or not value.strip():
            bad(column, f"{item!r} is not {'name' if joiner == '=' else 'question'}{joiner}{'value' if joiner == '=' else 'answer'}; write e.g. {example}")
            continue
        if key.strip() in out:
            bad(column, f"{key.strip()!r} is given twice")
        out[key.strip()] = value.strip()
    return out
