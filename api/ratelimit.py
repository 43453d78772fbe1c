"""Per-key and per-tenant GCRA limits by tier, kept in Postgres (one statement per request, exact)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property, lru_cache
from uuid import UUID

import psycopg

from api.database import query
from earmark.tenancy import tier_limits


@dataclass(frozen=True)
class Bucket:
    per_minute: float
    burst: int

    @cached_property
    def emission_interval(self) -> timedelta:
        return timedelta(seconds=60.0 / self.per_minute)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # whole seconds, 0 when allowed


@lru_cache(maxsize=64)  # a handful of tiers; saves building the bucket on every request
def tier_bucket(tier: str, burst_seconds: float, scale: float = 1.0) -> Bucket:
    per_minute = tier_limits()[tier].api_requests_per_minute * scale
    return Bucket(per_minute=per_minute, burst=max(1, math.floor(per_minute * burst_seconds / 60)))


def params(tenant_id: UUID, key_id: UUID, key: Bucket, tenant: Bucket) -> dict:
    """The parameters of api/sql/rate_limit_take.sql."""
    return {"tenant_id": tenant_id, "key_bucket": f"key:{key_id}",
            "key_interval": key.emission_interval, "key_burst": key.burst,
            "tenant_interval": tenant.emission_interval, "tenant_burst": tenant.burst}


def decision(row: dict | tuple, key: Bucket) -> Decision:
    """Read the (allowed, remaining, retry_after) row of api/sql/rate_limit_take.sql."""
    allowed, remaining, retry_after = row.values() if isinstance(row, dict) else row
    if allowed:
        return Decision(True, key.burst, remaining, 0)
    return Decision(False, key.burst, 0, max(1, math.ceil(retry_after)))


async def take(conn: psycopg.AsyncConnection, tenant_id: UUID, key_id: UUID, key: Bucket,
               tenant: Bucket) -> Decision:
    """Admit one request against both buckets: one statement, which is its own transaction.

    `conn` must be in autocommit and outside any transaction, so that the buckets' row locks last only
    for the server's work on this statement. (api.session also sends the same statement at the head of
    a one-message read transaction.)
    """
    if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        raise RuntimeError("ratelimit.take needs an idle autocommit connection, not an open transaction")
    cur = await conn.execute(query("rate_limit_take"), params(tenant_id, key_id, key, tenant))
    return decision(await cur.fetchone(), key)
