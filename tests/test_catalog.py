"""Catalogue import (issue 5): three formats, located errors, encodings, limits, the SQLite store."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from twincast.commerce import store as store_module
from twincast.commerce.catalog_io import MAX_PRODUCTS, import_catalog, load_catalog, read_catalog
from twincast.commerce.catalog_text import MAX_FILE_BYTES
from twincast.commerce.model import Catalog, Coupon, Product
from twincast.commerce.store import CatalogStore
from twincast.errors import TwincastError
from twincast.yaml_lines import load_plain

DATA = Path(__file__).parent / "data" / "catalog"
HEADER = "sku,name,price,list_price,stock,aliases,selling_points,specs,coupon_threshold,coupon_off,coupon_percent_off,coupon_expires,shipping_from,shipping_days,shipping_free,faq"


def _error(path: Path, **kw) -> str:
    with pytest.raises(TwincastError) as info:
        load_catalog(path, **kw)
    assert info.value.fix, "every user-facing error says what to do"
    return info.value.problem


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- formats -------------------------------------------------------------------------------

def test_yaml_json_and_csv_give_the_same_catalogue():
    from_yaml = load_catalog(DATA / "catalog_zh.yaml")
    assert load_catalog(DATA / "catalog_zh.json") == from_yaml
    assert load_catalog(DATA / "catalog_zh.csv") == from_yaml
    cup = from_yaml.product("CUP-316-500")
    assert (from_yaml.currency, from_yaml.language, len(from_yaml.products)) == ("CNY", "zh", 6)
    assert cup.price == Decimal("89.9") and str(cup.price) == "89.9"  # exact, not a float
    assert cup.coupon.threshold == 100 and cup.coupon.off == 20  # `off:` is a key, not False
    assert cup.coupon.expires == dt.date(2027, 6, 30)
    assert cup.shipping.from_ == "浙江金华" and cup.shipping.free is True
    assert cup.specs["容量"] == "500ml" and cup.faq[0].q == "能装开水吗"
    mask = from_yaml.product("MASK-HA-10")
    assert mask.coupon.expires == dt.datetime(2027, 3, 31, 23, 59) and mask.specs["片数"] == "10"


def test_english_catalogue_in_usd():
    catalog = load_catalog(DATA / "catalog_en.yaml")
    assert (catalog.currency, catalog.language, len(catalog.products)) == ("USD", "en", 3)
    assert catalog.product("YOGA-MAT-6MM").price == Decimal("29.5")


def test_yaml_11_words_are_not_booleans():
    text = "coupon: {threshold: 100, off: 20}\nname: No\nspecs: {防水: yes}\nfree: true\n"
    assert False in yaml.safe_load(text)["coupon"]  # the trap: plain safe_load turns `off` into False
    data = load_plain(text)
    assert data == {"coupon": {"threshold": 100, "off": 20}, "name": "No", "specs": {"防水": "yes"}, "free": True}


def test_yes_is_still_a_boolean_where_the_field_is_one(tmp_path):
    path = _write(tmp_path, "c.yaml", "products:\n  - {sku: A1, name: No, price: 1, stock: 1, shipping: {free: yes}}\n")
    product = load_catalog(path, currency="CNY", language="zh").products[0]
    assert product.name == "No" and product.shipping.free is True


def test_bare_list_takes_defaults_and_the_file_wins(tmp_path):
    path = _write(tmp_path, "c.json", '[{"sku": "A1", "name": "x", "price": 1, "stock": 1}]')
    loaded = read_catalog(path, currency="USD", language="en")
    assert (loaded.catalog.currency, loaded.catalog.language) == ("USD", "en")
    assert any("no currency" in w for w in read_catalog(path).warnings)
    csv_path = _write(tmp_path, "c.csv", f"#currency=USD\n{HEADER}\nA1,x,1,,1,,,,,,,,,,,\n")
    loaded = read_catalog(csv_path, currency="CNY")
    assert loaded.catalog.currency == "USD" and any("kept it over CNY" in w for w in loaded.warnings)


# --- located errors ------------------------------------------------------------------------

BAD_YAML = """\
currency: CNY
language: zh
products:
  - sku: CUP-1
    name: 保温杯
    stock: 5
  - sku: MASK-1
    name: 面膜
    price: 59
    stock: -3
  - sku: TEE-1
    name: T恤
    price: 49
    list_price: 39
    stock: 1
  - sku: EAR-1
    name: 耳机
    price: 199
    stock: 1
    coupon: {threshold: 100, off: 100}
  - sku: 大米 5kg
    name: 大米
    price: 69.9
    stock: 1
  - sku: CUP-1
    name: 又一个杯子
    price: 10
    stock: 1
    colour: red
"""


def test_yaml_errors_name_line_product_and_field(tmp_path):
    problem = _error(_write(tmp_path, "bad.yaml", BAD_YAML))
    assert "6 problems" in problem
    assert "line 4, price (product CUP-1): missing; every product needs sku, name, price and stock" in problem
    assert "line 10, stock (product MASK-1): must be at least 0 (got -3)" in problem
    assert "line 14, list_price (product TEE-1): list_price (39) is below price (49)" in problem
    assert "line 20, coupon.off (product EAR-1): off (100) must be less than threshold (100)" in problem
    assert "line 21, sku (product 大米 5kg): SKU '大米 5kg' may use only letters" in problem
    assert "line 29, colour (product CUP-1): unknown field 'colour'" in problem
    # problems come in file order
    assert problem.index("line 4") < problem.index("line 10") < problem.index("line 29")


def test_duplicate_sku_names_both_places(tmp_path):
    text = "products:\n  - {sku: A1, name: a, price: 1, stock: 1}\n  - {sku: B1, name: b, price: 1, stock: 1}\n  - {sku: A1, name: c, price: 1, stock: 1}\n"
    problem = _error(_write(tmp_path, "dup.yaml", text), currency="CNY", language="zh")
    assert "line 4, sku (product A1): SKU A1 appears twice (first at line 2, sku)" in problem


def test_yaml_syntax_error_and_duplicate_key_have_lines(tmp_path):
    assert "bad.yaml line 3: not valid YAML" in _error(_write(tmp_path, "bad.yaml", "products:\n  - sku: A\n   name: [x\n"))
    problem = _error(_write(tmp_path, "twice.yaml", "products:\n  - sku: A1\n    price: 1\n    price: 2\n"))
    assert "line 4" in problem and "'price' appears twice (first on line 3)" in problem


def test_top_level_mistakes(tmp_path):
    problem = _error(_write(tmp_path, "top.yaml", "currency: rmb\nlanguage: fr\ncolour: x\nproducts:\n  - {sku: A1, name: a, price: 1, stock: 1}\n"))
    assert "line 1, currency: 'rmb' is not a 3-letter currency code" in problem
    assert "line 2, language: 'fr' is not a supported language; use zh or en" in problem
    assert "line 3, colour: unknown field 'colour'; known fields: currency, language, products" in problem
    assert "no products" in _error(_write(tmp_path, "empty.yaml", "currency: CNY\nproducts: []\n"))


def test_json_errors_name_the_path_and_syntax_line_column(tmp_path):
    products = [
        {"sku": "A1", "name": "a", "price": 10, "stock": 1},
        {"sku": "B1", "name": "b", "price": "¥89", "stock": 1.5, "coupon": {"threshold": 50, "off": 60}},
    ]
    problem = _error(_write(tmp_path, "bad.json", json.dumps({"currency": "CNY", "language": "zh", "products": products})))
    assert "products[1].price (product B1): not a number (got '¥89')" in problem
    assert "products[1].stock (product B1): not a whole number" in problem
    assert "products[1].coupon.off (product B1): off (60) must be less than threshold (50)" in problem
    problem = _error(_write(tmp_path, "syntax.json", '{"products": [\n  {"sku": "A1",}\n]}'))
    assert "syntax.json line 2 column 16: not valid JSON" in problem


def test_csv_errors_name_row_and_column(tmp_path):
    rows = [
        "#currency=CNY",
        HEADER,
        "CUP-1,保温杯,,,5,,,,,,,,,,,",  # row 3: no price
        "MASK-1,面膜,59,,-1,,,,,,,,,,,",  # row 4: negative stock
        "TEE-1,T恤,49,,1,,,尺码L,,,,,,,,",  # row 5: specs without '='
        "EAR-1,耳机,199,,1,,,,199,200,,,,,,",  # row 6: off >= threshold
        "RICE 1,大米,69.9,,1,,,,,,,,,,,",  # row 7: bad SKU
        "MASK-1,面膜,59,,1,,,,,,,,,,maybe,问题没有答案",  # row 8: dup SKU, bad bool, faq
    ]
    problem = _error(_write(tmp_path, "bad.csv", "\n".join(rows) + "\n"), language="zh")
    assert "row 3, column price (product CUP-1): missing" in problem
    assert "row 4, column stock (product MASK-1): must be at least 0 (got '-1')" in problem
    assert "row 5, column specs (product TEE-1): '尺码L' is not name=value" in problem
    assert "row 6, column coupon_off (product EAR-1): off (200) must be less than threshold (199)" in problem
    assert "row 7, column sku (product RICE 1): SKU 'RICE 1' may use only" in problem
    assert "row 8, column shipping_free (product MASK-1): not true or false (got 'maybe')" in problem
    assert "row 8, column faq (product MASK-1): '问题没有答案' is not question=>answer" in problem


def test_csv_header_mistakes(tmp_path):
    assert "unknown column(s) 'colour'" in _error(_write(tmp_path, "a.csv", "sku,name,price,stock,colour\nA1,a,1,1,red\n"))
    assert "the header lacks price" in _error(_write(tmp_path, "b.csv", "sku,name,stock\nA1,a,1\n"))
    assert "row 2, column #5" in _error(_write(tmp_path, "c.csv", "sku,name,price,stock\nA1,a,1,1,oops\n"))
    assert "unknown setting #currncy" in _error(_write(tmp_path, "d.csv", "#currncy=CNY\nsku,name,price,stock\nA1,a,1,1\n"))


def test_at_most_20_problems_are_listed(tmp_path):
    body = "".join(f"P{i},x,,,1,,,,,,,,,,,\n" for i in range(30))
    problem = _error(_write(tmp_path, "many.csv", HEADER + "\n" + body))
    assert problem.startswith("many.csv: 30 problems in the catalogue:")
    assert problem.count("column price") == 20 and "… and 10 more" in problem


# --- encodings -----------------------------------------------------------------------------

def test_gbk_csv_from_excel_is_read_and_reported(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes((DATA / "catalog_zh.csv").read_text(encoding="utf-8").encode("gbk"))
    loaded = read_catalog(path)
    assert loaded.catalog == load_catalog(DATA / "catalog_zh.yaml")
    assert loaded.encoding == "gb18030" and any("GBK" in w for w in loaded.warnings)


def test_utf8_with_bom_is_read(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (DATA / "catalog_zh.csv").read_bytes())
    loaded = read_catalog(path)
    assert loaded.encoding == "utf-8-sig" and loaded.catalog == load_catalog(DATA / "catalog_zh.yaml")


def test_undecodable_bytes_are_located(tmp_path):
    lines = (DATA / "catalog_zh.csv").read_bytes().split(b"\n")
    lines[4] = lines[4].replace("面膜".encode(), b"\xff\xfe", 1)
    path = tmp_path / "broken.csv"
    path.write_bytes(b"\n".join(lines))
    problem = _error(path)
    assert "broken.csv line 5: byte 0xff" in problem and "neither UTF-8 nor GBK" in problem
    with pytest.raises(TwincastError, match="UTF-8"):
        load_catalog(path)


def test_spreadsheets_and_utf16_are_refused_with_advice(tmp_path):
    assert "CSV UTF-8" in str(pytest.raises(TwincastError, load_catalog, tmp_path / "a.xlsx").value)
    path = tmp_path / "u16.csv"
    path.write_bytes("sku,name,price,stock\n".encode("utf-16"))
    assert "UTF-16" in _error(path)


# --- Chinese headers (shop back-end exports) ------------------------------------------------

def test_chinese_headers_import_like_english_ones():
    loaded = read_catalog(DATA / "catalog_zh_headers.csv")
    english = load_catalog(DATA / "catalog_en_headers.csv")
    assert loaded.catalog == english and len(english.products) == 4 and not loaded.warnings
    tea = loaded.catalog.product("TEA-LJ-250")  # ¥268.00, 368元, "1,299", 2天, 是
    assert (tea.price, tea.list_price, tea.stock) == (Decimal("268"), Decimal("368"), 1299)
    assert (tea.coupon.threshold, tea.coupon.off, tea.shipping.days, tea.shipping.free) == (300, 30, 2, True)
    assert tea.specs["产地"] == "浙江杭州" and tea.faq[1].q == "能放多久"
    pan = loaded.catalog.product("PAN-IRON-32")  # 86件, 9折, 包邮
    assert (pan.stock, pan.coupon.percent_off, pan.shipping.free) == (86, 10, True)
    pillow = loaded.catalog.product("PILLOW-LATEX")  # ￥1,099, 85折 (pay 85%), 免邮
    assert (pillow.price, pillow.list_price, pillow.coupon.percent_off) == (Decimal("1099"), Decimal("1599"), 15)
    socks = loaded.catalog.product("SOCK-COT-5")  # 29.9元, "3,650个", 不包邮
    assert (socks.price, socks.stock, socks.shipping.free, socks.coupon) == (Decimal("29.9"), 3650, False, None)


def test_bom_before_chinese_headers(tmp_path):
    text = (DATA / "catalog_zh_headers.csv").read_text(encoding="utf-8")
    expected = load_catalog(DATA / "catalog_en_headers.csv")
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert read_catalog(path).catalog == expected
    # '#' lines typed in front of an exported file leave its BOM in the middle, on the header
    lines = text.split("\n")
    lines[2] = "\ufeff" + lines[2]
    assert load_catalog(_write(tmp_path, "mid.csv", "\n".join(lines))) == expected


@pytest.mark.parametrize("header", [
    "商品编码,商品名称,价格(元),库存(件)",
    " 商品编码 ,\u3000商品名称\u3000,价格（元）,库存（件）",
    "*SKU编码,*商品标题,售价【元】(必填),可售库存",
    "SKU,Name,Price (CNY),Stock",
])
def test_header_names_may_carry_units_spaces_and_marks(tmp_path, header):
    path = _write(tmp_path, "h.csv", f"{header}\nA1,保温杯,89.9,5\n")
    product = load_catalog(path, currency="CNY", language="zh").products[0]
    assert (product.sku, product.name, product.price, product.stock) == ("A1", "保温杯", Decimal("89.9"), 5)


def test_unknown_header_is_named_with_the_closest_known_one(tmp_path):
    path = _write(tmp_path, "u.csv", "商品编码,商品名称,商品价格,库存,主图\nA1,a,1,1,x.jpg\n")
    with pytest.raises(TwincastError) as info:
        load_catalog(path)
    assert "u.csv row 1: unknown column(s) '商品价格' (did you mean '价格'?), '主图'" in info.value.problem
    assert "delete the columns the room does not use" in info.value.fix and "商品编码" in info.value.fix
    assert "'pirce' (did you mean 'price'?)" in _error(_write(tmp_path, "e.csv", "sku,name,pirce,stock\nA1,a,1,1\n"))
    assert "the header lacks price (价格)" in _error(_write(tmp_path, "m.csv", "商品编码,商品名称,库存\nA1,a,1\n"))


def test_two_columns_for_one_field_are_both_named(tmp_path):
    problem = _error(_write(tmp_path, "d.csv", "商品编码,商品名称,价格,售价,库存\nA1,a,1,1,1\n"))
    assert "d.csv row 1: columns '价格' and '售价' are the same field (price)" in problem
    problem = _error(_write(tmp_path, "e.csv", "sku,商品名称,price,价格（元）,stock\nA1,a,1,1,1\n"))
    assert "columns 'price' and '价格（元）' are the same field (price)" in problem


def test_bad_values_under_chinese_headers_name_row_and_column(tmp_path):
    rows = [
        "#currency=CNY",
        "#language=zh",
        "商品编码,商品名称,售价（元）,库存,满,减,折扣,是否包邮",
        "A1,保温杯,约90元,5,,,,是",  # row 4
        'B1,面膜,"1,29",10,,,,否',  # row 5: not groups of three, so not 129
        "C1,坚果,79.9,很多,,,,是",  # row 6
        "D1,T恤,49,1,,,8.5,是",  # row 7: 8.5 under 折扣 could mean 8.5% or 8.5折
        "E1,耳机,199,1,,,,也许",  # row 8
        "F1,大米,69.9,1,100,,,是",  # row 9: 满 without 减
    ]
    problem = _error(_write(tmp_path, "bad.csv", "\n".join(rows) + "\n"))
    assert "row 4, column 售价（元） (product A1): not a number (got '约90元')" in problem
    assert "row 5, column 售价（元） (product B1): not a number (got '1,29')" in problem
    assert "row 6, column 库存 (product C1): not a whole number (got '很多')" in problem
    assert "row 7, column 折扣 (product D1): '8.5' is not a discount in 折; write e.g. 8.5折" in problem
    assert "row 8, column 是否包邮 (product E1): not true or false (got '也许')" in problem
    assert "row 9, column 减 / 折扣 (product F1): give either off" in problem
    assert problem.startswith("bad.csv: 6 problems")


def test_yuan_signs_only_in_a_cny_catalogue(tmp_path):
    # ¥ is also the yen sign: a USD catalogue must not quietly read ¥89 as $89
    body = "sku,name,price,stock\nA1,Mug,¥89,1\n"
    assert "row 3, column price (product A1): not a number (got '¥89')" in _error(_write(tmp_path, "a.csv", "#currency=USD\n" + body))
    assert "row 2, column price (product A1): not a number (got '¥89')" in _error(_write(tmp_path, "b.csv", body), currency="USD", language="en")
    assert load_catalog(tmp_path / "b.csv", currency="CNY", language="zh").products[0].price == Decimal("89")


def test_gbk_csv_with_chinese_headers(tmp_path):
    text = (DATA / "catalog_zh_headers.csv").read_text(encoding="utf-8")
    path = tmp_path / "excel.csv"
    path.write_bytes(text.replace("¥", "￥").encode("gbk"))  # GBK has only the full-width ￥, as Excel writes it
    loaded = read_catalog(path)
    assert loaded.encoding == "gb18030" and any("GBK" in w for w in loaded.warnings)
    assert loaded.catalog == load_catalog(DATA / "catalog_en_headers.csv")


# --- limits --------------------------------------------------------------------------------

def test_a_file_over_50_mb_is_refused_at_once_in_bounded_memory(tmp_path):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as f:
        f.write((HEADER + "\n").encode())
        f.truncate(MAX_FILE_BYTES + 10_000_000)  # sparse: 60 MB without writing them
    tracemalloc.start()
    start = time.perf_counter()
    try:
        problem = _error(path)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "60.0 MB; a catalogue may be at most 50 MB" in problem
    assert seconds < 0.5 and peak < 2_000_000


def test_more_than_10000_products_are_refused(tmp_path):
    body = "".join(f"P{i},x,1,,1,,,,,,,,,,,\n" for i in range(MAX_PRODUCTS + 1))
    assert "more than 10,000 products" in _error(_write(tmp_path, "big.csv", HEADER + "\n" + body))


def test_yaml_anchor_bomb_is_refused(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    lines.append("products: [{sku: A1, name: a, price: 1, stock: 1, aliases: *a7}]")
    assert "YAML anchors" in _error(_write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n"))


# --- coupons -------------------------------------------------------------------------------

def test_coupon_expiry_and_warning():
    day = Coupon(off=Decimal(5), expires=dt.date(2027, 1, 1))
    assert day.active(dt.datetime(2027, 1, 1, 23, 59)) and not day.active(dt.datetime(2027, 1, 2))
    moment = Coupon(percent_off=Decimal(10), expires=dt.datetime(2027, 1, 1, 12, tzinfo=dt.timezone.utc))
    assert not moment.active(dt.datetime(2027, 1, 1, 13, tzinfo=dt.timezone.utc))
    later = read_catalog(DATA / "catalog_zh.yaml", now=dt.datetime(2027, 2, 1, tzinfo=dt.timezone.utc))
    assert any("BT-EAR-PRO2: the coupon expired on 2027-01-01" in w for w in later.warnings)
    assert not any("CUP-316-500" in w for w in later.warnings)


# --- store ---------------------------------------------------------------------------------

def _catalog(prefix: str, n: int) -> Catalog:
    return Catalog(products=[Product(sku=f"{prefix}{i}", name=f"{prefix} 商品 {i}", price=Decimal("9.9"), stock=i) for i in range(n)])


def test_import_report_and_store_reads(tmp_path):
    db = tmp_path / "catalog.db"
    report = import_catalog(DATA / "catalog_zh.csv", db)
    assert {k: report[k] for k in ("products", "currency", "language", "encoding", "warnings")} == {
        "products": 6, "currency": "CNY", "language": "zh", "encoding": "utf-8", "warnings": []}
    store = CatalogStore(db)
    assert store.load() == load_catalog(DATA / "catalog_zh.yaml")
    assert store.product("RICE-WUCHANG-5KG").price == Decimal("69.9") and store.product("NOPE") is None
    assert store.search_names()["BT-EAR-PRO2"] == ["降噪蓝牙耳机 Pro2", "蓝牙耳机", "耳机", "无线耳机"]
    (record,) = store.history()
    assert record.sha256 == hashlib.sha256((DATA / "catalog_zh.csv").read_bytes()).hexdigest()
    assert record.products == 6 and record.source.endswith("catalog_zh.csv") and record.id == report["import_id"]
    import sqlite3
    assert sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_stock_changes_live(tmp_path):
    store = CatalogStore(tmp_path / "c.db")
    assert store.load() is None
    store.replace(load_catalog(DATA / "catalog_zh.yaml"), source="test")
    reader = CatalogStore(tmp_path / "c.db")  # another handle, as a room would hold
    store.set_stock("CUP-316-500", 7)
    assert reader.product("CUP-316-500").stock == 7 and reader.load().product("CUP-316-500").stock == 7
    with pytest.raises(TwincastError, match="no product with SKU NOPE"):
        store.set_stock("NOPE", 1)
    with pytest.raises(TwincastError, match="0 or more"):
        store.set_stock("CUP-316-500", -1)


def test_a_failed_import_leaves_the_previous_catalogue(tmp_path, monkeypatch):
    db = tmp_path / "c.db"
    import_catalog(DATA / "catalog_zh.yaml", db)
    before = CatalogStore(db).load()
    with pytest.raises(TwincastError):  # invalid file: refused before the store is touched
        import_catalog(_write(tmp_path, "bad.yaml", BAD_YAML), db)
    real_row = store_module._row

    def fail_on_third(position, product):  # noqa: ANN001, ANN202
        if position == 2:
            raise OSError("disk full")
        return real_row(position, product)

    monkeypatch.setattr(store_module, "_row", fail_on_third)
    with pytest.raises(OSError):  # fails mid-insert, after the DELETE
        CatalogStore(db).replace(_catalog("NEW", 5), source="new")
    assert CatalogStore(db).load() == before
    assert len(CatalogStore(db).history()) == 1


def test_store_rejects_a_file_that_is_not_a_store(tmp_path):
    path = _write(tmp_path, "not.db", "hello, I am text" * 100)
    with pytest.raises(TwincastError, match="cannot open it as a catalogue store"):
        CatalogStore(path)


def test_a_reader_sees_whole_catalogues_during_imports(tmp_path):
    db = tmp_path / "c.db"
    writer = CatalogStore(db)
    a, b = _catalog("A", 3000), _catalog("B", 2000)
    writer.replace(a, source="a")
    seen: list[tuple[str, int]] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        reader = CatalogStore(db)
        try:
            while not done.is_set():
                names = reader.search_names()
                prefixes = {sku[0] for sku in names}
                seen.append(("".join(sorted(prefixes)), len(names)))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    thread = threading.Thread(target=read)
    thread.start()
    try:
        for catalog in (b, a, b, a, b):
            writer.replace(catalog, source="swap")
            time.sleep(0.02)
    finally:
        done.set()
        thread.join(10)
    assert not errors
    assert set(seen) <= {("A", 3000), ("B", 2000)} and len(set(seen)) == 2
    assert writer.load() == b and len(writer.history()) == 6
