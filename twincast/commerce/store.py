"""The imported catalogue in SQLite: one writer (an import, a stock change), many readers (rooms).

WAL mode lets a room read while an operator imports: a reader sees the whole previous
catalogue or the whole new one, never a mix, because an import is one transaction and
every read of more than one row is one too. Each call opens its own connection, so a store
object may be shared between threads and processes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from twincast.commerce.model import Catalog, Product
from twincast.errors import TwincastError

SCHEMA_VERSION = 1
_BUSY_TIMEOUT_S = 30.0  # an import of 10,000 products holds the write lock well under a second

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS products (
    sku TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    names TEXT NOT NULL,   -- JSON list: name then aliases, for matching what viewers say
    stock INTEGER NOT NULL CHECK (stock >= 0),
    data TEXT NOT NULL     -- the product as JSON (Decimals as text); stock lives in its own column
);
CREATE TABLE IF NOT EXISTS imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    source TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    products INTEGER NOT NULL
);
"""


@dataclass(frozen=True)
class ImportRecord:
    id: int
    at: dt.datetime
    source: str
    sha256: str
    products: int


class CatalogStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        with closing(self._connect()) as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA_VERSION):
                raise TwincastError(f"{self.path}: a catalogue store of format {version}; this twincast reads {SCHEMA_VERSION}", "import the catalogue into a new --db file")
            if version == 0:
                db.execute("PRAGMA journal_mode=WAL")  # persistent: set once, when the file is made
                db.executescript(_SCHEMA)
                db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def replace(self, catalog: Catalog, source: str, sha256: str | None = None) -> int:
        """Swap in `catalog` in one transaction and record the import; returns the import's id.

        `sha256` is the source file's; without it, the digest of the catalogue's canonical JSON.
        If anything fails, the previous catalogue is left as it was."""
        if sha256 is None:
            canonical = json.dumps(catalog.model_dump(mode="json", by_alias=True), sort_keys=True, ensure_ascii=False)
            sha256 = hashlib.sha256(canonical.encode()).hexdigest()
        with self._transaction(write=True) as db:
            db.execute("DELETE FROM products")
            rows = (_row(i, p) for i, p in enumerate(catalog.products))  # built inside: a failure rolls back
            db.executemany("INSERT INTO products (sku, position, name, names, stock, data) VALUES (?, ?, ?, ?, ?, ?)", rows)
            db.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [("currency", catalog.currency), ("language", catalog.language)])
            at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
            cur = db.execute("INSERT INTO imports (at, source, sha256, products) VALUES (?, ?, ?, ?)", (at, source, sha256, len(catalog.products)))
            return int(cur.lastrowid)

    def load(self) -> Catalog | None:
        """The whole catalogue with live stock, or None before the first import."""
        with self._transaction() as db:
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
            rows = db.execute("SELECT data, stock FROM products ORDER BY position").fetchall()
        if not rows:
            return None
        products = [_product(data, stock) for data, stock in rows]
        return Catalog.model_validate({"currency": meta["currency"], "language": meta["language"], "products": products})

    def product(self, sku: str) -> Product | None:
        with self._transaction() as db:
            row = db.execute("SELECT data, stock FROM products WHERE sku = ?", (sku,)).fetchone()
        return _product(*row) if row else None

    def search_names(self) -> dict[str, list[str]]:
        """sku -> [name, *aliases], in catalogue order: what a viewer may call each product."""
        with self._transaction() as db:
            rows = db.execute("SELECT sku, names FROM products ORDER BY position").fetchall()
        return {sku: json.loads(names) for sku, names in rows}

    def stock(self, sku: str) -> int | None:
        with self._transaction() as db:
            row = db.execute("SELECT stock FROM products WHERE sku = ?", (sku,)).fetchone()
        return row[0] if row else None

    def set_stock(self, sku: str, n: int) -> None:
        """Live stock change (a sale, a restock); the next import resets stock to the file's."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise TwincastError(f"stock {n!r} for {sku}: stock is a whole number, 0 or more", "give the units left, e.g. 12")
        with self._transaction(write=True) as db:
            if db.execute("UPDATE products SET stock = ? WHERE sku = ?", (n, sku)).rowcount == 0:
                raise TwincastError(f"no product with SKU {sku} in the catalogue", "check the SKU (twincast catalog import lists them)")

    def history(self) -> list[ImportRecord]:
        """Every import, oldest first."""
        with self._transaction() as db:
            rows = db.execute("SELECT id, at, source, sha256, products FROM imports ORDER BY id").fetchall()
        return [ImportRecord(i, dt.datetime.fromisoformat(at), src, digest, n) for i, at, src, digest, n in rows]

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
            db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable at checkpoints, never corrupt
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()  # a non-database file fails here
        except (sqlite3.DatabaseError, OSError) as exc:
            raise TwincastError(f"{self.path}: cannot open it as a catalogue store ({exc})", "give a new file for --db, or the store an import made") from None
        return db

    @contextmanager
    def _transaction(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        # IMMEDIATE takes the write lock up front, so two writers queue instead of deadlocking;
        # a read transaction pins one snapshot for all its SELECTs.
        with closing(self._connect()) as db:
            db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")


def _row(position: int, p: Product) -> tuple:
    data = p.model_dump(mode="json", by_alias=True, exclude={"stock"})
    return (p.sku, position, p.name, json.dumps([p.name, *p.aliases], ensure_ascii=False), p.stock, json.dumps(data, ensure_ascii=False))


def _product(data: str, stock: int) -> Product:
    return Product.model_validate({**json.loads(data), "stock": stock})
