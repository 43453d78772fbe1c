"""api.session: one message per read, the tenant transaction-local, a failed read leaves nothing behind."""

import asyncio
import uuid
from contextlib import asynccontextmanager

import psycopg
import pytest
from fastapi import Response
from psycopg.pq import TransactionStatus

from api import ratelimit
from api.auth import Principal
from api.session import TenantSession
from earmark import db


def _the(conn: psycopg.AsyncConnection):
    """A session's connection source that always lends this one connection (the app lends pooled ones)."""

    @asynccontextmanager
    async def connect():
        yield conn

    return connect


async def _setting(conn: psycopg.AsyncConnection) -> str | None:
    cur = await conn.execute("select current_setting('app.tenant_id', true)")
    return (await cur.fetchone())[0]


def test_reads_run_as_the_key_tenant_and_leave_nothing_on_the_connection(database, make_tenant):
    tenant = make_tenant()
    principal = Principal("tenant", uuid.uuid4(), "0" * 64, tenant.id, frozenset({"attribution:read"}),
                          "standard")
    admitted: list[bool] = []

    async def run() -> None:
        async with await psycopg.AsyncConnection.connect(db.url("api"), autocommit=True) as conn:
            response = Response()
            session = TenantSession(_the(conn), principal, ratelimit.Bucket(600, 100), response,
                                    lambda: admitted.append(True))
            with pytest.raises(psycopg.errors.DivisionByZero):
                await session.rows("select 1 / 0 as x")
            # Rolled back, and the limiter's take with it; the limiter then decided the request on its own,
            # so a failing read is still counted (and would be refused after the burst).
            assert conn.info.transaction_status == TransactionStatus.IDLE
            assert session.admitted and admitted == [True]
            assert await _setting(conn) in (None, "")
            buckets = await conn.execute("select count(*) from app.rate_limits where tenant_id = %s",
                                         [tenant.id])
            assert (await buckets.fetchone())[0] == 0  # RLS: no tenant set, no bucket visible

            rows = await session.rows("select current_setting('app.tenant_id') as tenant, %(x)s::int as x",
                                      {"x": 7})
            assert rows == [{"tenant": str(tenant.id), "x": 7}]
            assert session.admitted and admitted == [True]  # one request, one pass of the limiter
            assert response.headers["x-ratelimit-limit"] == "100"
            assert conn.info.transaction_status == TransactionStatus.IDLE
            assert await _setting(conn) in (None, "")

            # A one-message read may not write; writes go through session.transaction().
            with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
                await session.rows("update app.rate_limits set burst = burst returning 1 as one")
            async with session.transaction():
                rows = await session.rows("select tenant_id, bucket from app.rate_limits order by bucket")
            # Only this tenant's buckets are visible (other tests' tenants have rows too).
            assert rows == [{"tenant_id": tenant.id, "bucket": f"key:{principal.key_id}"},
                            {"tenant_id": tenant.id, "bucket": "tenant"}]
            assert await _setting(conn) in (None, "")

    asyncio.run(run())
