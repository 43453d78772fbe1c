"""The API's connection pool (API role only) and its tenant-scoped transaction."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import UUID

import psycopg
from psycopg import sql
from psycopg.pq import TransactionStatus
from psycopg_pool import AsyncConnectionPool

from api.settings import ApiSettings
from earmark import db, sqlfiles


def query(name: str) -> str:
    """A statement from api/sql/<name>.sql (earmark.sqlfiles: read once per process)."""
    return sqlfiles.load("api", name)


def make_pool(settings: ApiSettings, conninfo: str | None = None) -> AsyncConnectionPool:
    # autocommit: every transaction is explicit, so nothing ever lingers between requests.
    return AsyncConnectionPool(
        conninfo or db.url("api"), min_size=settings.pool_min_size, max_size=settings.pool_max_size,
        kwargs={"autocommit": True}, open=False, name="earmark-api",
        # A request waits this long for a connection before it is a 503 (database-unavailable).
        timeout=settings.pool_timeout_seconds,
    )


@asynccontextmanager
async def tenant_transaction(conn: psycopg.AsyncConnection, tenant_id: UUID) -> AsyncIterator[None]:
    """Async twin of earmark.db.tenant_transaction: the tenant is the first statement, transaction-local.

    BEGIN and set_config travel as one simple-protocol message, one round trip instead of two. The
    tenant is rendered as a literal, which is safe: it is re-parsed as a UUID here and comes from the
    caller's key, never from the request. `conn` must be in autocommit (every pool connection is).
    """
    if conn.info.transaction_status != TransactionStatus.IDLE:
        raise RuntimeError("tenant_transaction needs a connection outside any transaction")
    tenant = sql.Literal(str(UUID(str(tenant_id))))
    await conn.execute(sql.SQL("begin; select set_config('app.tenant_id', {}, true)").format(tenant))
    try:
        yield
    except BaseException:
        if conn.info.transaction_status != TransactionStatus.IDLE and not conn.broken:
            with contextlib.suppress(psycopg.Error):
                await conn.execute("rollback")
        raise
    await conn.execute("commit")
