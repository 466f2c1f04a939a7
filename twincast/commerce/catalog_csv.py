"""A CSV catalogue: one product per row, lists and pairs packed into cells.

Columns (header row required, any order, names case-insensitive; only sku, name, price and
stock are required; an empty cell means "not given"):

    sku, name, price, list_price, stock,
    aliases           "保温杯|水杯"                 (| between items)
    selling_points    "24小时保温|316不锈钢内胆"
    specs             "容量=500ml|材质=316不锈钢"   (name=value, | between)
    coupon_threshold, coupon_off, coupon_percent_off, coupon_expires (2026-12-31 or 2026-12-31T20:00)
    shipping_from, shipping_days, shipping_free (true/false, yes/no, 是/否, 1/0)
    faq               "能装开水吗=>能，耐热100℃||可以进洗碗机吗=>建议手洗"  (q=>a, || between)

Lines before the header that start with '#' may set `#currency=CNY` and `#language=zh`;
other '#' rows anywhere are comments. Row numbers are the file's line numbers (the header
is row 1 when there are no comment lines), which is what Excel shows for ordinary files."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from twincast.errors import TwincastError

COLUMNS = (
    "sku", "name", "price", "list_price", "stock", "aliases", "selling_points", "specs",
    "coupon_threshold", "coupon_off", "coupon_percent_off", "coupon_expires",
    "shipping_from", "shipping_days", "shipping_free", "faq",
)
REQUIRED = ("sku", "name", "price", "stock")
HEADER_KEYS = ("currency", "language")
_PLAIN = ("sku", "name", "price", "list_price", "stock")
_YES_NO = {"是": "true", "否": "false", "包邮": "true", "不包邮": "false"}


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


def parse_csv(text: str, name: str, max_products: int) -> CsvCatalog:
    out = CsvCatalog()
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    last_line = 0
    try:
        for cells in reader:
            row, last_line = last_line + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            first = cells[0].strip()
            if first.startswith("#"):
                if header is None:
                    _header_setting(first[1:], cells, row, name, out.top)
                continue
            if header is None:
                header = _header(cells, row, name)
                continue
            if len(out.products) >= max_products:
                raise TwincastError(f"{name}: more than {max_products:,} products", "split the catalogue into smaller files")
            out.rows.append(row)
            out.products.append(_product(header, cells, row, out.problems))
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


def _header(cells: list[str], row: int, name: str) -> list[str]:
    header = [c.strip().lower() for c in cells]
    while header and not header[-1]:
        header.pop()  # Excel's trailing empty columns
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise TwincastError(f"{name} row {row}: unknown column(s) {', '.join(repr(u) for u in unknown)}", f"columns are: {','.join(COLUMNS)}")
    twice = sorted({h for h in header if header.count(h) > 1})
    if twice:
        raise TwincastError(f"{name} row {row}: column(s) {', '.join(twice)} appear twice", "keep one of each")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise TwincastError(f"{name} row {row}: the header lacks {', '.join(missing)}", f"every catalogue needs the columns {','.join(REQUIRED)}")
    return header


def _product(header: list[str], cells: list[str], row: int, problems: list[CsvProblem]) -> dict:
    values = {h: c.strip() for h, c in zip(header, cells) if c.strip()}
    sku = values.get("sku")
    extra = [c for c in cells[len(header):] if c.strip()]
    if extra:
        problems.append(CsvProblem(row, f"#{len(header) + 1}", sku, f"{len(header) + len(extra)} cells but the header has {len(header)} columns; a cell with a comma must be in \"double quotes\""))

    def bad(column: str, message: str) -> None:
        problems.append(CsvProblem(row, column, sku, message))

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
