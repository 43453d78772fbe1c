"""What a call cost: tokens times the price per million in the price table, as an exact Decimal, at the
price in effect on the call's UTC day.

The table is earmark/ai/prices.toml unless EARMARK_AI_PRICES names an operator's own file in the same
format: `read_on = <date>`, then per model either one `[<provider>."<model>"]` table (its price since
forever, or since its optional `from = <date>`) or an array of `[[<provider>."<model>"]]` tables, each
with `from = <date>`, in increasing order: each price holds from its UTC day until the next one's. A price
has `input` and `output` and may have `cache_read` and `cache_write` (the prompt cache's rates), all in
USD per million tokens. A file that does not load is refused with one sentence naming it and what is
wrong, before any call is made (the Analyzer reads it when it is built).

Past calls keep the price of their day, so a ledger can price any of them again exactly: keep a model's
old entries when its price changes, and add the new one with its `from`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, Inexact, localcontext
from functools import lru_cache
from importlib.resources import files
from itertools import pairwise
from pathlib import Path
from typing import get_args

from earmark.ai.providers.local import NAME as LOCAL
from earmark.errors import EarmarkError
from earmark.settings import AiProvider, Settings, get_settings

MILLION = Decimal(1_000_000)
PRICED_PROVIDERS = tuple(name for name in get_args(AiProvider) if name != LOCAL)
RATES = ("input", "output", "cache_read", "cache_write")
# Digits a cost is computed with: enough for token counts (at most 10 digits) times rates of up to 45
# significant digits, summed; beyond that an inexact result raises rather than rounds.
PRECISION = 60


class PriceTableError(EarmarkError, ValueError):
    """A price table that does not load; the message names the file and what is wrong with it."""


class _Problem(Exception):
    """What is wrong with a table's contents, as the end of PriceTableError's sentence."""


@dataclass(frozen=True)
class Price:
    """A model's rates in USD per million tokens, in effect from effective_from (a UTC day; None: since
    forever) until the next price's. A cache rate is None where the table gives none: tokens at it have no
    known price."""

    input_per_million: Decimal
    output_per_million: Decimal
    cache_read_per_million: Decimal | None = None
    cache_write_per_million: Decimal | None = None
    effective_from: date | None = None


@dataclass(frozen=True)
class PriceTable:
    read_on: date
    # Per (provider, model), its prices in increasing effective_from order (price_on picks one).
    prices: dict[tuple[str, str], tuple[Price, ...]]
    source: str  # the file it was read from, for messages


def price_table(settings: Settings | None = None) -> PriceTable:
    """The table in effect: settings.ai_prices_path, else the packaged one. Read once per file."""
    return _load((settings or get_settings()).ai_prices_path)


@lru_cache
def _load(path: Path | None) -> PriceTable:
    if path is None:
        packaged = files("earmark.ai") / "prices.toml"
        source, read = str(packaged), packaged.read_text
    else:
        path = path.expanduser()
        source, read = f"{path} (EARMARK_AI_PRICES)", path.read_text
    try:
        text = read(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problem = exc.strerror if isinstance(exc, OSError) and exc.strerror else "it is not UTF-8 text"
        raise PriceTableError(f"The AI price table {source} cannot be read: {problem}.") from None
    try:
        return _parse(text, source)
    except _Problem as problem:
        raise PriceTableError(f"The AI price table {source} is not usable: {problem}.") from None


def _parse(text: str, source: str) -> PriceTable:
    try:
        # parse_float=Decimal: 0.75 stays 0.75, not the binary float nearest to it.
        raw = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise _Problem(f"it is not valid TOML ({exc})") from None
    read_on = raw.pop("read_on", None)
    if not _is_date(read_on):
        raise _Problem("it needs read_on = the date its rates were read, such as read_on = 2026-12-02")
    prices = {}
    for provider, models in raw.items():
        if provider not in PRICED_PROVIDERS:
            raise _Problem(f"it prices provider {provider!r}; the providers with prices are "
                           f"{', '.join(PRICED_PROVIDERS)}")
        if not isinstance(models, dict):
            raise _Problem(f'{provider} must hold one table per model, such as [{provider}."model-name"]')
        for model, entry in models.items():
            prices[(provider, model)] = _schedule(provider, model, entry)
    return PriceTable(read_on, prices, source)


def _schedule(provider: str, model: str, entry: object) -> tuple[Price, ...]:
    """A model's prices: one table (dated or not), or an array of dated tables in increasing order."""
    if isinstance(entry, dict):
        return (_price(f'[{provider}."{model}"]', entry, dated=False),)
    name = f'[[{provider}."{model}"]]'
    if not isinstance(entry, list) or not entry or not all(isinstance(item, dict) for item in entry):
        raise _Problem(f'{provider}."{model}" must be one table [{provider}."{model}"] or an array of tables '
                       f"{name}, each with from = the UTC date its rates take effect")
    schedule = tuple(_price(f"{name} number {n}", item, dated=True) for n, item in enumerate(entry, 1))
    for before, after in pairwise(schedule):
        if after.effective_from <= before.effective_from:
            raise _Problem(f"{name} must be in increasing from order (from = {after.effective_from} comes "
                           f"after from = {before.effective_from})")
    return schedule


def _price(where: str, rates: dict, *, dated: bool) -> Price:
    unknown = sorted(set(rates) - {*RATES, "from"})
    if unknown:
        raise _Problem(f"{where} has unknown {'key' if len(unknown) == 1 else 'keys'} "
                       f"{', '.join(map(repr, unknown))}; a price has input and output, optionally "
                       "cache_read and cache_write (USD per million tokens), and from (a date)")
    if not {"input", "output"} <= set(rates):
        raise _Problem(f"{where} needs input and output, in USD per million tokens")
    if (dated or "from" in rates) and not _is_date(rates.get("from")):
        raise _Problem(f"{where} needs from = the UTC date its rates take effect, such as from = 2026-12-02")
    parsed = {key: _rate(rates[key]) for key in RATES if key in rates}
    bad = [key for key, rate in parsed.items() if rate is None]
    if len(bad) == 1:
        raise _Problem(f"{where} needs {bad[0]} as a non-negative number (USD per million tokens)")
    if bad:
        named = ", ".join(bad[:-1]) + " and " + bad[-1]
        raise _Problem(f"{where} needs {named} as non-negative numbers (USD per million tokens)")
    return Price(parsed["input"], parsed["output"], parsed.get("cache_read"), parsed.get("cache_write"),
                 rates.get("from"))


def _is_date(value: object) -> bool:
    """A TOML local date (tomllib gives a datetime for a date with a time, and that is not a day)."""
    return isinstance(value, date) and not isinstance(value, datetime)


def _rate(value: object) -> Decimal | None:
    """A price as a Decimal; None unless it is a finite, non-negative number."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return None
    rate = Decimal(value)
    return rate if rate.is_finite() and rate >= 0 else None


def price_on(table: PriceTable, provider: str, model: str, day: date) -> Price | None:
    """The model's price on a UTC day: its last price whose from is on or before the day. None for a model
    the table does not price, or a day before its first from."""
    if not _is_date(day):
        raise TypeError("price_on takes a date (the UTC day of the call), not a datetime")
    for price in reversed(table.prices.get((provider, model), ())):
        if price.effective_from is None or price.effective_from <= day:
            return price
    return None


def cost(table: PriceTable, provider: str, model: str, tokens_in: int, tokens_out: int, *,
         cache_read: int = 0, cache_write: int = 0, on: date | None = None) -> Decimal | None:
    """USD for a call's tokens at the model's price on the UTC day `on` (default: today, UTC).

    tokens_in is all the input, at any rate; cache_read and cache_write are the parts of it read from and
    written to the prompt cache, each at its own rate, and the rest is priced as input. None when the
    model has no price that day, or the call has cache tokens of a kind the price has no rate for: an
    unknown cost is recorded as unknown rather than as free (or as plain input).
    """
    fresh = tokens_in - cache_read - cache_write
    if min(tokens_in, tokens_out, cache_read, cache_write) < 0 or fresh < 0:
        raise ValueError("token counts are non-negative, and the cache tokens are parts of tokens_in")
    if on is not None and not _is_date(on):
        raise TypeError("cost takes on = a date (the UTC day of the call), not a datetime")
    if provider == LOCAL or tokens_in == tokens_out == 0:
        return Decimal(0)
    price = price_on(table, provider, model, datetime.now(UTC).date() if on is None else on)
    if price is None:
        return None
    parts = [(fresh, price.input_per_million), (tokens_out, price.output_per_million),
             (cache_read, price.cache_read_per_million), (cache_write, price.cache_write_per_million)]
    if any(tokens and rate is None for tokens, rate in parts):
        return None
    with localcontext() as exact:
        exact.prec = PRECISION
        exact.traps[Inexact] = True
        return sum((tokens * rate for tokens, rate in parts if tokens), Decimal(0)) / MILLION
