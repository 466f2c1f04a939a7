"""Catalogue files (.yaml/.yml, .json, .csv) -> a validated `Catalog`, or every mistake at once.

Each product is validated on its own so one message can list the first 20 problems, each
with where it is (YAML line and key, JSON path, CSV row and column), which product, and
what is wrong. Nothing is imported unless the whole file is right."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable

import yaml
from pydantic import ValidationError

from twincast.commerce.catalog_csv import COLUMNS, parse_csv
from twincast.commerce.catalog_text import MAX_FILE_BYTES, read_source
from twincast.commerce.model import Catalog, Coupon, Faq, Product
from twincast.errors import TwincastError
from twincast.yaml_lines import compose_plain, line_of, load_plain

MAX_PRODUCTS = 10_000
MAX_PROBLEMS_SHOWN = 20
# YAML anchors can make a small file expand exponentially; a real catalogue of 10,000 products
# has well under a million values.
_MAX_YAML_VALUES = 2_000_000
_DEFAULTS = {"currency": "CNY", "language": "zh"}
_PLACEHOLDER = Product(sku="placeholder", name="placeholder", price=Decimal(1), stock=0)

Where = Callable[[int | None, tuple], str]  # (product index or None for the top level, pydantic loc) -> place


@dataclass(frozen=True)
class LoadedCatalog:
    catalog: Catalog
    encoding: str
    sha256: str
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Problem:
    order: int
    where: str
    product: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.where} ({self.product}): {self.message}" if self.product else f"{self.where}: {self.message}"


def load_catalog(path: Path, *, currency: str | None = None, language: str | None = None) -> Catalog:
    return read_catalog(path, currency=currency, language=language).catalog


def read_catalog(
    path: Path, *, currency: str | None = None, language: str | None = None, now: dt.datetime | None = None
) -> LoadedCatalog:
    """`currency`/`language` fill in what the file does not say (the file wins)."""
    path = Path(path)
    kind = _kind(path)
    source = read_source(path, MAX_FILE_BYTES)
    warnings: list[str] = []
    if source.encoding == "gb18030":
        warnings.append(f"{path.name} is GBK/GB18030, not UTF-8: read it as GBK; save it as UTF-8 to be sure")
    problems: list[_Problem] = []
    if kind == "csv":
        parsed = parse_csv(source.text, path.name, MAX_PRODUCTS, currency)
        top, products = parsed.top, parsed.products
        where = _csv_where(parsed.rows, parsed.columns)
        problems += [_Problem(p.row, f"row {p.row}, column {p.column}", _label(p.sku, None), p.message) for p in parsed.problems]
        order = parsed.rows
    else:
        data, where = _parse_yaml(source.text, path.name) if kind == "yaml" else _parse_json(source.text, path.name)
        top, products = _split(data, path.name)
        order = list(range(len(products)))
    if len(products) > MAX_PRODUCTS:
        raise TwincastError(f"{path.name}: {len(products):,} products; at most {MAX_PRODUCTS:,}", "split the catalogue into smaller files")
    top = _fill_defaults(top, currency, language, warnings)
    catalog = _validate(top, products, where, order, problems, path.name)
    warnings += content_warnings(catalog, now or dt.datetime.now().astimezone())
    return LoadedCatalog(catalog, source.encoding, source.sha256, warnings)


def import_catalog(path: Path, db: Path, *, currency: str | None = None, language: str | None = None) -> dict:
    """Validate the file, then replace the catalogue in the store at `db` in one transaction."""
    from twincast.commerce.store import CatalogStore

    loaded = read_catalog(path, currency=currency, language=language)
    import_id = CatalogStore(db).replace(loaded.catalog, source=str(Path(path).resolve()), sha256=loaded.sha256)
    return {
        "products": len(loaded.catalog.products),
        "currency": loaded.catalog.currency,
        "language": loaded.catalog.language,
        "encoding": loaded.encoding,
        "warnings": loaded.warnings,
        "sha256": loaded.sha256,
        "import_id": import_id,
        "db": str(db),
    }


def content_warnings(catalog: Catalog, now: dt.datetime) -> list[str]:
    """Things that import but that the operator should know before going live."""
    out = []
    owner: dict[str, str] = {}
    for p in catalog.products:
        if p.coupon is not None and not p.coupon.active(now):
            out.append(f"product {p.sku}: the coupon expired on {p.coupon.expires}; the room will not offer it")
        for name in {p.name.strip().lower(), *(a.strip().lower() for a in p.aliases)}:
            other = owner.setdefault(name, p.sku)
            if other != p.sku:
                out.append(f"'{name}' names both {other} and {p.sku}; a viewer who says it may get either")
    return out


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    kinds = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "csv"}
    if suffix in kinds:
        return kinds[suffix]
    if suffix in (".xlsx", ".xls", ".numbers", ".ods"):
        raise TwincastError(f"{path.name}: a spreadsheet workbook", "save it as 'CSV UTF-8 (逗号分隔)' and import the .csv")
    raise TwincastError(f"{path.name}: unknown catalogue format {suffix or '(no extension)'}", "give a .yaml, .yml, .json or .csv file")


def _parse_yaml(text: str, name: str) -> tuple[object, Where]:
    try:
        data = load_plain(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise TwincastError(f"{name}{where}: not valid YAML ({getattr(exc, 'problem', None) or exc})", "fix the syntax (indentation, colons, quotes)") from None
    _bounded(data, _MAX_YAML_VALUES, name)
    nodes: list = []

    def where(index: int | None, loc: tuple) -> str:
        if not nodes:
            nodes.append(compose_plain(text))  # only when there is an error to place
        prefix: list = [] if index is None else ([index] if isinstance(data, list) else ["products", index])
        line = line_of(nodes[0], [*prefix, *loc])
        return f"line {line}, {_dotted(loc)}" if loc else f"line {line}"

    return data, where


def _parse_json(text: str, name: str) -> tuple[object, Where]:
    def pairs(items: list) -> dict:
        out = dict(items)
        if len(out) != len(items):
            twice = next(k for i, (k, _) in enumerate(items) if any(k == k2 for k2, _ in items[:i]))
            sku = out.get("sku")
            raise TwincastError(f"{name}: key {twice!r} appears twice in one object{f' (product {sku})' if isinstance(sku, str) else ''}", "keep one of them")
        return out

    def no_constants(c: str):  # noqa: ANN202
        raise TwincastError(f"{name}: {c} is not a number a catalogue can hold", "write a plain number like 89.9")

    try:
        data = json.loads(text, parse_float=Decimal, object_pairs_hook=pairs, parse_constant=no_constants)
    except json.JSONDecodeError as exc:
        raise TwincastError(f"{name} line {exc.lineno} column {exc.colno}: not valid JSON ({exc.msg})", "fix the syntax there (a missing comma or quote, or a trailing comma)") from None
    except RecursionError:
        raise TwincastError(f"{name}: nested too deeply to be a catalogue", "give {\"currency\": …, \"products\": [ … ]}") from None

    def where(index: int | None, loc: tuple) -> str:
        path = "" if index is None else (f"[{index}]" if isinstance(data, list) else f"products[{index}]")
        for part in loc:
            path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        return path or "(top level)"

    return data, where


def _csv_where(rows: list[int], columns: dict[str, str]) -> Where:
    """`columns`: field -> header as written, so a file with 售价 is told about 售价, not price."""
    def where(index: int | None, loc: tuple) -> str:
        if index is None:
            return f"#{loc[0]}= line" if loc else "the header"
        return f"row {rows[index]}, column {_csv_column(loc, columns)}"

    return where


def _csv_column(loc: tuple, columns: dict[str, str]) -> str:
    if not loc:
        return "(the row)"
    head = str(loc[0])
    if head in ("coupon", "shipping"):
        if len(loc) > 1 and isinstance(loc[1], str):
            return columns.get(f"{head}_{loc[1]}", f"{head}_{loc[1]}")
        return " / ".join(columns.get(c, c) for c in ("coupon_off", "coupon_percent_off")) if head == "coupon" else "shipping_*"
    return columns.get(head, head) if head in COLUMNS else f"{head} (not a CSV column)"


def _split(data: object, name: str) -> tuple[dict, list]:
    if isinstance(data, list):
        return {}, data  # a bare list of products: currency and language from the defaults
    if not isinstance(data, dict) or "products" not in data:
        raise TwincastError(f"{name}: a catalogue is a mapping with a products: list", "see tests/data/catalog/catalog_zh.yaml for an example")
    products = data["products"]
    if not isinstance(products, list):
        raise TwincastError(f"{name}: products: must be a list of products", "write each product as an item starting with '- sku: …'")
    return {k: v for k, v in data.items() if k != "products"}, products


def _fill_defaults(top: dict, currency: str | None, language: str | None, warnings: list[str]) -> dict:
    top = dict(top)
    for key, given in (("currency", currency), ("language", language)):
        if key in top:
            if given and str(top[key]) != given:
                warnings.append(f"the file says {key} {top[key]}; kept it over {given}")
        elif given:
            top[key] = given
        else:
            top[key] = _DEFAULTS[key]
            warnings.append(f"the file gives no {key}; assumed {_DEFAULTS[key]}")
    return top


def _validate(top: dict, products: list, where: Where, order: list[int], problems: list[_Problem], name: str) -> Catalog:
    valid: list[Product] = []
    first_at: dict[str, int] = {}
    for i, raw in enumerate(products):
        label = _label(raw.get("sku") if isinstance(raw, dict) else None, i)
        try:
            product = Product.model_validate(raw)
        except ValidationError as exc:
            problems += [_Problem(order[i], where(i, tuple(e["loc"])), label, describe(e)) for e in exc.errors()]
            continue
        if product.sku in first_at:
            first = where(first_at[product.sku], ("sku",))
            problems.append(_Problem(order[i], where(i, ("sku",)), label, f"SKU {product.sku} appears twice (first at {first}); give each product its own SKU"))
            continue
        first_at[product.sku] = i
        valid.append(product)
    try:
        Catalog.model_validate({**top, "products": [_PLACEHOLDER]})  # the top-level keys on their own
    except ValidationError as exc:
        problems += [_Problem(-1, where(None, tuple(e["loc"])), None, describe(e, top_level=True)) for e in exc.errors() if e["loc"][:1] != ("products",)]
    if not products:
        problems.append(_Problem(-1, "products", None, "no products; a catalogue needs at least one"))
    if problems:
        raise TwincastError(_summary(problems, name), "fix each one and import again; nothing was imported, the previous catalogue stays")
    return Catalog.model_validate({**top, "products": valid})


def _summary(problems: list[_Problem], name: str) -> str:
    problems = sorted(problems, key=lambda p: p.order)
    shown = problems[:MAX_PROBLEMS_SHOWN]
    lines = [f"{name}: {len(problems)} problem{'s' if len(problems) > 1 else ''} in the catalogue:"]
    lines += [f"  {p}" for p in shown]
    if len(problems) > len(shown):
        lines.append(f"  … and {len(problems) - len(shown)} more")
    return "\n".join(lines)


_KNOWN = {
    "": ("currency", "language", "products"),
    "product": tuple(Product.model_fields),
    "coupon": tuple(Coupon.model_fields),
    "shipping": ("from", "days", "free"),
    "faq": tuple(Faq.model_fields),
}
_BOUNDS = {"greater_than": ("more than", "gt"), "greater_than_equal": ("at least", "ge"), "less_than": ("less than", "lt"), "less_than_equal": ("at most", "le")}


def describe(err: dict, top_level: bool = False) -> str:
    """A pydantic error as a sentence a shop operator can act on."""
    kind, loc, value, ctx = err["type"], tuple(err["loc"]), err.get("input"), err.get("ctx") or {}
    leaf = str(loc[-1]) if loc else ""
    got = f" (got {value!r})" if isinstance(value, (str, int, float, Decimal)) else ""
    if kind == "missing":
        return "missing; every product needs sku, name, price and stock" if loc and loc[-1] in ("sku", "name", "price", "stock") else "missing"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    if kind == "string_pattern_mismatch":
        if leaf == "sku":
            return f"SKU {value!r} may use only letters, digits, '.', '_' and '-', starting with a letter or digit (no spaces or Chinese); rename it"
        if leaf == "currency":
            return f"{value!r} is not a 3-letter currency code; use CNY, USD …"
        if leaf == "language":
            return f"{value!r} is not a supported language; use zh or en"
    if kind in _BOUNDS:
        words, key = _BOUNDS[kind]
        return f"must be {words} {ctx.get(key)}{got}"
    if kind in ("decimal_parsing", "decimal_type", "float_parsing"):
        return f"not a number{got}; write a plain number like 89.9 (no ¥, 元 or commas)"
    if kind in ("int_parsing", "int_from_float", "int_type"):
        return f"not a whole number{got}"
    if kind in ("bool_parsing", "bool_type"):
        return f"not true or false{got}"
    if kind.startswith(("date", "datetime")):
        return f"not a date{got}; write 2026-12-31 or 2026-12-31T20:00"
    if kind == "string_too_short":
        return "empty"
    if kind == "string_too_long":
        return f"longer than {ctx.get('max_length')} characters"
    if kind == "extra_forbidden":
        section = "" if top_level else _section(loc)
        return f"unknown field {leaf!r}; known fields: {', '.join(_KNOWN[section])}"
    if kind == "string_type" and isinstance(value, (list, dict)):
        return "must be text, not a list or mapping"
    return f"{err['msg']}{got}"


def _section(loc: tuple) -> str:
    # loc of an unknown key: (key,) on the top level or a product, (coupon, key), (faq, 0, key) …
    parents = [p for p in loc[:-1] if isinstance(p, str)]
    return parents[-1] if parents and parents[-1] in _KNOWN else "product"


def _label(sku: object, index: int | None) -> str | None:
    if isinstance(sku, str) and sku.strip():
        return f"product {sku.strip()}"
    return f"product #{index + 1}" if index is not None else None


def _dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _bounded(data: object, limit: int, name: str) -> None:
    """Refuse a YAML value that expands (through anchors) past `limit` values."""
    stack, count = [data], 0
    while stack:
        item = stack.pop()
        count += 1
        if count > limit:
            raise TwincastError(f"{name}: expands to more than {limit:,} values (YAML anchors?)", "write the catalogue out without &anchors and *aliases")
        if isinstance(item, dict):
            stack += item.values()
        elif isinstance(item, list):
            stack += item
