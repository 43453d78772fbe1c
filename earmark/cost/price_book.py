"""The price book: versions of unit prices and shared fixed costs, loaded from TOML, effective-dated.

A version is never edited. Each day is priced by the version with the latest effective_from on or before it,
so a new version changes the days from its effective_from on and no earlier one: a version that would take
effect before today (UTC) is refused unless the operator asks for it (`retroactive`), because it would
reprice days already reported. The packaged book becomes the first version on first use.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib.resources import files
from pathlib import Path

import psycopg
from psycopg.rows import dict_row

from earmark.cost.resources import PRICE_BOOK_RESOURCES
from earmark.errors import EarmarkError
from earmark.sqlfiles import load

DEFAULT_SOURCE = "earmark default (earmark/cost/price_book.toml)"
RULES = ("metric", "even", "weighted")


class PriceBookError(EarmarkError, ValueError):
    """A price book that cannot be loaded; the message names the file and what to change."""


@dataclass(frozen=True)
class UnitPrice:
    price: Decimal
    per: Decimal
    per_month: bool = False


@dataclass(frozen=True)
class SharedCost:
    monthly: Decimal
    rule: str
    metric: str | None = None
    capacity_per_day: Decimal | None = None


@dataclass(frozen=True)
class PriceBook:
    version: str
    effective_from: date
    currency: str
    prices: dict[str, UnitPrice]
    shared: dict[str, SharedCost]
    sha256: str


def parse(text: str, source: str) -> PriceBook:
    """The book in `text`, or PriceBookError with one sentence naming `source` and the problem."""
    def fail(problem: str) -> PriceBookError:
        return PriceBookError(f"The price book {source} is not usable: {problem}.")

    try:
        raw = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise fail(f"it is not valid TOML ({exc})") from None
    unknown = set(raw) - {"version", "effective_from", "currency", "prices", "shared"}
    if unknown:
        raise fail(f"unknown top-level key {sorted(unknown)[0]!r}")
    version = raw.get("version")
    if not isinstance(version, str) or not version.strip():
        raise fail('it needs version = "a name for this version", such as version = "2027-01"')
    effective = raw.get("effective_from")
    if not isinstance(effective, date) or isinstance(effective, datetime):
        raise fail("it needs effective_from = the first UTC day it prices, such as "
                   "effective_from = 2027-01-01")
    currency = raw.get("currency", "USD")
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isupper():
        raise fail(f"currency must be an ISO 4217 code such as \"USD\", not {currency!r}")
    prices = {name: _unit_price(name, entry, fail) for name, entry in _tables(raw, "prices", fail).items()}
    missing = [name for name in PRICE_BOOK_RESOURCES if name not in prices]
    if missing:
        raise fail(f"it has no [prices.{missing[0]}]; every measured resource needs a price (0 is allowed)")
    shared = {name: _shared(name, entry, fail) for name, entry in _tables(raw, "shared", fail).items()}
    return PriceBook(version.strip(), effective, currency, prices, shared,
                     hashlib.sha256(text.encode()).hexdigest())


def _tables(raw: dict, key: str, fail) -> dict[str, dict]:
    tables = raw.get(key, {})
    if not isinstance(tables, dict) or not all(isinstance(v, dict) for v in tables.values()):
        raise fail(f"[{key}] must hold one table per entry, such as [{key}.name]")
    return tables


def _money(value: object, where: str, fail, positive: bool = False) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal) or not Decimal(value).is_finite() \
            or Decimal(value) < 0 or (positive and Decimal(value) == 0):
        kind = "a positive number" if positive else "a non-negative number"
        raise fail(f"{where} must be {kind}, not {value!r}")
    return Decimal(value)


def _unit_price(name: str, entry: dict, fail) -> UnitPrice:
    where = f"[prices.{name}]"
    if name not in PRICE_BOOK_RESOURCES:
        raise fail(f"{where} prices no resource Earmark measures; the resources are "
                   f"{', '.join(PRICE_BOOK_RESOURCES)}")
    extra = set(entry) - {"price", "per", "per_month"}
    if extra or "price" not in entry:
        raise fail(f"{where} takes price, per and per_month only, and needs price")
    per_month = entry.get("per_month", False)
    if not isinstance(per_month, bool):
        raise fail(f"{where} per_month must be true or false")
    return UnitPrice(_money(entry["price"], f"{where} price", fail),
                     _money(entry.get("per", 1), f"{where} per", fail, positive=True), per_month)


def _shared(name: str, entry: dict, fail) -> SharedCost:
    where = f"[shared.{name}]"
    extra = set(entry) - {"monthly", "rule", "metric", "capacity_per_day"}
    if extra:
        raise fail(f"{where} has unknown key {sorted(extra)[0]!r}")
    if "monthly" not in entry:
        raise fail(f"{where} needs monthly = its cost per month")
    monthly = _money(entry["monthly"], f"{where} monthly", fail)
    if monthly != monthly.quantize(Decimal("0.01")):
        raise fail(f"{where} monthly must be in whole cents, not {monthly}")
    rule = entry.get("rule", "metric")
    if rule not in RULES:
        raise fail(f"{where} rule must be one of {', '.join(RULES)}, not {rule!r}")
    metric = entry.get("metric")
    if rule == "metric" and metric not in PRICE_BOOK_RESOURCES:
        raise fail(f"{where} needs metric = one of {', '.join(PRICE_BOOK_RESOURCES)} "
                   "(the usage it is shared by)")
    if rule != "metric" and (metric is not None or "capacity_per_day" in entry):
        raise fail(f"{where} takes metric and capacity_per_day only with rule = \"metric\"")
    capacity = entry.get("capacity_per_day")
    if capacity is not None:
        capacity = _money(capacity, f"{where} capacity_per_day", fail, positive=True)
    return SharedCost(monthly, rule, metric if rule == "metric" else None, capacity)


def read(path: Path) -> PriceBook:
    try:
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PriceBookError(f"The price book {path} cannot be read as UTF-8 text "
                             f"({exc.__class__.__name__}).") from None
    return parse(text, str(path))


def _q(name: str) -> str:
    return load("earmark.cost", name)


def load_book(conn: psycopg.Connection, book: PriceBook, source: str, *, retroactive: bool = False,
              today: date | None = None) -> dict:
    """Store `book` as a new version; the same version with the same content again is a no-op."""
    today = today or datetime.now(UTC).date()
    with conn.transaction():
        conn.execute(_q("price_book_lock"))
        same = conn.execute(_q("price_book_by_version"), {"version": book.version}).fetchone()
        if same is not None:
            if same[1] != book.sha256:
                raise PriceBookError(f"Price book version {book.version!r} is already loaded with other "
                                     "contents; a version is never edited: give this one a new version name.")
            return {**describe(conn, same[0]), "loaded": False}
        has_books = conn.execute(_q("price_book_count")).fetchone()[0] > 0
        if has_books and book.effective_from < today and not retroactive:
            raise PriceBookError(
                f"Price book {book.version!r} takes effect on {book.effective_from}, before today "
                f"({today}), and would reprice days already reported; give it an effective_from of today "
                "or later, or pass --retroactive to reprice those days on purpose.")
        book_id = _insert(conn, book, source)
    return {**describe(conn, book_id), "loaded": True}


def _insert(conn: psycopg.Connection, book: PriceBook, source: str) -> int:
    book_id = conn.execute(_q("price_book_insert"), {
        "version": book.version, "effective_from": book.effective_from, "currency": book.currency,
        "sha256": book.sha256, "source": source}).fetchone()[0]
    with conn.cursor() as cur:
        cur.executemany(_q("unit_price_insert"), [
            {"book_id": book_id, "resource": name, "price": p.price, "per": p.per, "per_month": p.per_month}
            for name, p in book.prices.items()])
        cur.executemany(_q("shared_cost_insert"), [
            {"book_id": book_id, "name": name, "monthly": s.monthly, "rule": s.rule, "metric": s.metric,
             "capacity": s.capacity_per_day}
            for name, s in book.shared.items()])
    return book_id


def ensure_default(conn: psycopg.Connection) -> None:
    """The packaged book as the first version, when no version exists yet."""
    if conn.execute(_q("price_book_count")).fetchone()[0] == 0:
        text = (files("earmark.cost") / "price_book.toml").read_text("utf-8")
        load_book(conn, parse(text, DEFAULT_SOURCE), DEFAULT_SOURCE)


def describe(conn: psycopg.Connection, book_id: int) -> dict:
    with conn.cursor(row_factory=dict_row) as cur:
        head = cur.execute(_q("price_book_get"), {"book_id": book_id}).fetchone()
        prices = cur.execute(_q("unit_prices_of"), {"book_id": book_id}).fetchall()
        shared = cur.execute(_q("shared_costs_of"), {"book_id": book_id}).fetchall()
    return {**head, "prices": prices, "shared": shared}


def versions(conn: psycopg.Connection) -> list[dict]:
    """Every version, newest effective first, with the one in effect today marked."""
    ensure_default(conn)
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(_q("price_books_list")).fetchall()
