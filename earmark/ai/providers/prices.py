"""What a call cost: tokens times the price per million in earmark/ai/prices.toml, as an exact Decimal."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib.resources import files

from earmark.ai.providers.local import NAME as LOCAL

MILLION = Decimal(1_000_000)


@dataclass(frozen=True)
class Price:
    input_per_million: Decimal
    output_per_million: Decimal


@dataclass(frozen=True)
class PriceTable:
    read_on: date
    prices: dict[tuple[str, str], Price]


@lru_cache
def price_table() -> PriceTable:
    # parse_float=Decimal: 0.75 stays 0.75, not the binary float nearest to it.
    raw = tomllib.loads((files("earmark.ai") / "prices.toml").read_text("utf-8"), parse_float=Decimal)
    read_on = raw.pop("read_on")
    prices = {(provider, model): Price(Decimal(rates["input"]), Decimal(rates["output"]))
              for provider, models in raw.items() for model, rates in models.items()}
    return PriceTable(read_on, prices)


def cost(provider: str, model: str, tokens_in: int, tokens_out: int) -> Decimal | None:
    """USD for the tokens; None when the model has no price (recorded as unknown rather than as free)."""
    if provider == LOCAL or tokens_in == tokens_out == 0:
        return Decimal(0)
    price = price_table().prices.get((provider, model))
    if price is None:
        return None
    return (tokens_in * price.input_per_million + tokens_out * price.output_per_million) / MILLION
