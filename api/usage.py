"""Monthly request counts and keys' last_used_at, counted in memory and flushed in batches.

Writing both on every request would double the writes of the hot path; a worker flushes every
ApiSettings.usage_flush_seconds instead, each tenant in its own RLS-scoped transaction, and learns the
month's total back for the quota check. Across workers the quota may overshoot by one flush interval.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from datetime import UTC, datetime
from uuid import UUID

from psycopg_pool import AsyncConnectionPool

from api.database import query, tenant_transaction
from api.problems import Problem
from earmark.tenancy import tier_limits

log = logging.getLogger("earmark.api.usage")


class UsageCounter:
    def __init__(self) -> None:
        self._pending: dict[UUID, int] = defaultdict(int)
        self._keys_used: dict[UUID, dict[UUID, datetime]] = defaultdict(dict)
        self._month_total: dict[UUID, int] = {}

    def count(self, tenant_id: UUID, key_id: UUID) -> None:
        self._pending[tenant_id] += 1
        self._keys_used[tenant_id][key_id] = datetime.now(UTC)

    def check_quota(self, tenant_id: UUID, tier: str) -> None:
        used = self._month_total.get(tenant_id, 0) + self._pending.get(tenant_id, 0)
        limit = tier_limits()[tier].api_requests_per_month
        if used >= limit:
            raise Problem(
                429, "quota-exceeded",
                f"This tenant used its {limit:,} API requests for this month ({tier} tier); "
                "upgrade the tier or wait for the next month (UTC).",
                headers={"Retry-After": str(_seconds_to_next_month())},
                quota="api_requests_per_month", limit=limit, used=used,
            )

    def knows(self, tenant_id: UUID) -> bool:
        return tenant_id in self._month_total

    def learn(self, tenant_id: UUID, total: int) -> None:
        self._month_total[tenant_id] = total

    def month_total(self, tenant_id: UUID) -> int:
        return self._month_total.get(tenant_id, 0) + self._pending.get(tenant_id, 0)

    async def flush(self, pool: AsyncConnectionPool) -> None:
        pending, self._pending = self._pending, defaultdict(int)
        keys_used, self._keys_used = self._keys_used, defaultdict(dict)
        for tenant_id in set(pending) | set(keys_used):
            try:
                async with pool.connection() as conn, tenant_transaction(conn, tenant_id):
                    cur = await conn.execute(query("usage_add_requests"),
                                             {"tenant_id": tenant_id, "requests": pending.get(tenant_id, 0)})
                    (total,) = await cur.fetchone()
                    self._month_total[tenant_id] = total
                    used = keys_used.get(tenant_id)
                    if used:
                        await conn.execute(query("keys_mark_used"), {
                            "tenant_id": tenant_id, "ids": list(used), "used_at": max(used.values())})
            except Exception:  # a failed flush must not lose counts nor stop the loop
                log.exception("usage flush failed for tenant %s", tenant_id)
                self._pending[tenant_id] += pending.get(tenant_id, 0)

    async def run(self, pool: AsyncConnectionPool, every_seconds: float) -> None:
        while True:
            await asyncio.sleep(every_seconds)
            await self.flush(pool)


def _seconds_to_next_month() -> int:
    now = datetime.now(UTC)
    nxt = datetime(now.year + (now.month == 12), now.month % 12 + 1, 1, tzinfo=UTC)
    return max(1, int((nxt - now).total_seconds()))
