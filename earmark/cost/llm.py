"""LLM calls into the ledger: per provider call, its tokens by kind, priced by the dated AI price table.

Each call (app.ai_calls) becomes up to four rows: fresh input, cache-read input, cache-write input, output.
The two providers report them differently, and the AI layer has already made them alike (tokens_in is
every input token at any rate, cache_read_tokens and cache_write_tokens its cached parts): Anthropic
reports cache tokens outside `input_tokens`, OpenAI counts cached tokens inside it.
A call made with the tenant's own key billed the tenant's provider account, not the platform's: its
tokens are measured and its cost to Earmark is 0 (tagged key_source: tenant). A call on the platform's key
whose model (or the cache rate it needs) has no price on the call's day fails the collection, naming the
model, rather than costing 0.
"""

from __future__ import annotations

from decimal import Decimal

import psycopg
from psycopg.rows import dict_row

from earmark.ai.providers import prices
from earmark.cost.ledger import UsageEvent
from earmark.cost.resources import (
    LLM_CACHE_READ_TOKENS,
    LLM_CACHE_WRITE_TOKENS,
    LLM_INPUT_TOKENS,
    LLM_OUTPUT_TOKENS,
)
from earmark.errors import EarmarkError
from earmark.sqlfiles import load

SOURCE = "ai_calls"
MILLION = Decimal(1_000_000)
PROVIDER_NAMES = {"openai": "OpenAI", "anthropic": "Anthropic"}


class UnpricedModel(EarmarkError):
    """A platform-paid LLM call whose model has no price on its day."""


def call_events(conn: psycopg.Connection) -> list[UsageEvent]:
    """The calls not yet in the ledger (run as the owner, which sees every tenant's calls)."""
    table = prices.price_table()
    events = []
    with conn.cursor(row_factory=dict_row) as cur:
        calls = cur.execute(load("earmark.cost", "ai_calls_unrecorded")).fetchall()
    for call in calls:
        day = call["usage_date"]
        kinds = {
            LLM_INPUT_TOKENS: call["tokens_in"] - call["cache_read_tokens"] - call["cache_write_tokens"],
            LLM_CACHE_READ_TOKENS: call["cache_read_tokens"],
            LLM_CACHE_WRITE_TOKENS: call["cache_write_tokens"],
            LLM_OUTPUT_TOKENS: call["tokens_out"],
        }
        paid = call["key_source"] == "platform"
        price = prices.price_on(table, call["provider"], call["model"], day) if paid else None
        rates = {}
        if paid:
            rates = {LLM_INPUT_TOKENS: price and price.input_per_million,
                     LLM_CACHE_READ_TOKENS: price and price.cache_read_per_million,
                     LLM_CACHE_WRITE_TOKENS: price and price.cache_write_per_million,
                     LLM_OUTPUT_TOKENS: price and price.output_per_million}
        model = f"{call['provider']}/{call['model']}"
        tags = {"task": call["task"], "key_source": call["key_source"], "outcome": call["outcome"],
                "analysis_id": str(call["analysis_id"])}
        for resource, tokens in kinds.items():
            if tokens <= 0:
                continue
            cost = Decimal(0)
            if paid:
                if rates[resource] is None:
                    kind = resource.removeprefix("llm_").removesuffix("_tokens").replace("_", "-")
                    what = "price" if price is None else f"{kind} rate"
                    raise UnpricedModel(
                        f"The {call['provider']} model {call['model']!r} has no {what} on {day} in the AI "
                        f"price table ({table.source}), and {tokens:,} {kind} tokens of a platform-paid call "
                        "need one: add it there and run the cost collection again.")
                cost = tokens * rates[resource] / MILLION
            provider = PROVIDER_NAMES.get(call["provider"], call["provider"])
            events.append(UsageEvent(call["tenant_id"], SOURCE, str(call["id"]), resource, day,
                                     Decimal(tokens), model, service_provider=provider, billed_cost=cost,
                                     tags=tags))
    return events
