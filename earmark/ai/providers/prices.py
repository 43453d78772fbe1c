"""What a call cost: tokens times the price per million in the price table, as an exact Decimal.

The table is earmark/ai/prices.toml unless EARMARK_AI_PRICES names an operator's own file in the same
format: `read_on = <date>`, then one `[<provider>."<model>"]` table per model with `input` and `output`
in USD per million tokens. A file that does not load is refused with one sentence naming it and what is
wrong, before any call is made (the Analyzer reads it when it is built).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import get_args

from earmark.ai.providers.local import NAME as LOCAL
from earmark.errors import EarmarkError
from earmark.settings import AiProvider, Settings, get_settings

MILLION = Decimal(1_000_000)
PRICED_PROVIDERS = tuple(name for name in get_args(AiProvider) if name != LOCAL)


class PriceTableError(EarmarkError, ValueError):
    """A price table that does not load; the message names the file and what is wrong with it."""


class _Problem(Exception):
    """What is wrong with a table's contents, as the end of PriceTableError's sentence."""


@dataclass(frozen=True)
class Price:
    input_per_million: Decimal
    output_per_million: Decimal


@dataclass(frozen=True)
class PriceTable:
    read_on: date
    prices: dict[tuple[str, str], Price]
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
    if not isinstance(read_on, date) or isinstance(read_on, datetime):
        raise _Problem("it needs read_on = the date its rates were read, such as read_on = 2026-12-02")
    prices = {}
    for provider, models in raw.items():
        if provider not in PRICED_PROVIDERS:
            raise _Problem(f"it prices provider {provider!r}; the providers with prices are "
                           f"{', '.join(PRICED_PROVIDERS)}")
        if not isinstance(models, dict):
            raise _Problem(f'{provider} must hold one table per model, such as [{provider}."model-name"]')
        for model, rates in models.items():
            where = f'[{provider}."{model}"]'
            if not isinstance(rates, dict) or set(rates) != {"input", "output"}:
                raise _Problem(f"{where} needs exactly input and output, in USD per million tokens")
            price = Price(_rate(rates["input"]), _rate(rates["output"]))
            if price.input_per_million is None or price.output_per_million is None:
                raise _Problem(f"{where} needs input and output as non-negative numbers (USD per million "
                               "tokens)")
            prices[(provider, model)] = price
    return PriceTable(read_on, prices, source)


def _rate(value: object) -> Decimal | None:
    """A price as a Decimal; None unless it is a finite, non-negative number."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return None
    rate = Decimal(value)
    return rate if rate.is_finite() and rate >= 0 else None


def cost(table: PriceTable, provider: str, model: str, tokens_in: int, tokens_out: int) -> Decimal | None:
    """USD for the tokens; None when the model has no price (recorded as unknown rather than as free)."""
    if provider == LOCAL or tokens_in == tokens_out == 0:
        return Decimal(0)
    price = table.prices.get((provider, model))
    if price is None:
        return None
    return (tokens_in * price.input_per_million + tokens_out * price.output_per_million) / MILLION
