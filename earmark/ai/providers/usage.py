"""The usage ledger (app.ai_calls): one row per attempt, with tokens, latency, cost and whose key paid,
per tenant.

Runs in the caller's tenant transaction. The router gives every row a transaction of its own, so the
rows of a failed analysis stay recorded.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Literal
from uuid import UUID

import psycopg
from psycopg.rows import dict_row

from earmark.sqlfiles import load

Outcome = Literal["ok", "retry", "failed", "skipped", "cached"]
# Whose account a provider call billed: the tenant's own key or the platform's. None for a row no key
# paid for (the local analyzer, a cache hit, a skipped provider).
KeySource = Literal["tenant", "platform"]


@dataclass(frozen=True)
class Call:
    analysis_id: UUID
    task: str
    prompt_version: str
    provider: str
    model: str
    cache_key: str
    outcome: Outcome
    http_status: int | None = None
    error: str | None = None
    # All the input billed at any rate; the two cache counts are parts of it (base.Tokens, whose fields
    # these are named after).
    tokens_in: int = 0
    tokens_out: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    latency_ms: int = 0
    cost_usd: Decimal | None = Decimal(0)
    key_source: KeySource | None = None


def record(conn: psycopg.Connection, tenant_id: UUID, call: Call) -> None:
    conn.execute(load("earmark.ai", "providers_call_insert"), {"tenant_id": tenant_id, **asdict(call)})


def totals(conn: psycopg.Connection, tenant_id: UUID) -> list[dict]:
    """Per provider, model and key_source (null: rows no key paid for, such as cache hits): calls,
    answered, cached, tokens_in, tokens_out, cache_read_tokens, cache_write_tokens (parts of tokens_in),
    cost_usd, unpriced_calls."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(load("earmark.ai", "providers_usage_totals"), {"tenant_id": tenant_id}).fetchall()
