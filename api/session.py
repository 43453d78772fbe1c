"""One request's access to its tenant's data, in as few round trips as possible.

On this 2-core machine every round trip to Postgres costs two context switches and a pass of the event
loop; at 1,500 requests/s they, not the SQL, are the cost (see bench/RESULTS.md). So:

- `rows()` outside a transaction sends ONE simple-protocol message:
  `begin; select set_config('app.tenant_id', ...); <rate limiter>; set transaction read only;
  <the query>; commit`.
  The tenant is still the transaction's first statement; the limiter (until it has run for this
  request) rides in the same message, so a one-query read is one round trip. Its row locks are held
  only while the server runs the rest of that message, never across a client round trip. A refused
  request's read is thrown away (the transaction is read only, so it changed nothing).
- `transaction()` is for writes and for reads of several statements: it passes the limiter first
  (its own one-statement transaction), then opens the tenant transaction; `rows()` inside it uses the
  extended protocol with server-side parameters and prepared statements.

A session borrows a pooled connection only for each message or transaction, never for the whole
request: the pool's few connections are not held while FastAPI validates and serialises an answer, and
the session is a plain value, not a yield dependency (whose exit stack cost about a tenth of a read's
CPU, see bench/RESULTS.md).

Values travel client-side bound in the one-message form (psycopg quotes them; the message needs the
simple protocol to hold several statements).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from functools import cache
from uuid import UUID

import psycopg
from fastapi import Response
from psycopg.pq import TransactionStatus
from psycopg.rows import dict_row

from api import ratelimit
from api.auth import Principal
from api.database import query, tenant_transaction
from api.problems import Problem

Connect = Callable[[], AbstractAsyncContextManager[psycopg.AsyncConnection]]
_LIMITER_PARAMS = ("key_bucket", "key_interval", "key_burst", "tenant_interval", "tenant_burst")


@cache
def _message(statement: str, limit: bool) -> str:
    """The one message around `statement` (built once per statement, not per request)."""
    statements = ["begin", "select set_config('app.tenant_id', %(tenant_id)s, true)"]
    if limit:
        statements.append(query("rate_limit_take"))
    # The limiter writes; the route's statement may not (writes go through transaction()).
    statements += ["set transaction read only", statement, "commit"]
    # Each statement on its own lines, so a trailing comment in a .sql file ends before the ';'.
    return "\n;\n".join(statements)


class TenantSession:
    def __init__(self, connect: Connect, principal: Principal, bucket: ratelimit.Bucket,
                 response: Response, on_admitted: Callable[[], None]) -> None:
        self._connect = connect  # the pool's connection(), or one connection in tests
        self.principal = principal
        self._bucket = bucket
        self._response = response
        self._on_admitted = on_admitted
        self._conn: psycopg.AsyncConnection | None = None  # set inside transaction()
        self.admitted = False

    @property
    def tenant_id(self) -> UUID:
        return self.principal.tenant_id

    async def admit(self) -> None:
        """Pass the rate limiter now (routes that read nothing call this; the others need not)."""
        if not self.admitted:
            async with self._connect() as conn:
                await self._admit_on(conn)

    async def _admit_on(self, conn: psycopg.AsyncConnection) -> None:
        """The limiter as its own one-statement transaction on `conn` (idle, in autocommit)."""
        if not self.admitted:
            self._decide(await ratelimit.take(conn, self.tenant_id, self.principal.key_id,
                                              self._bucket, self._bucket))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[TenantSession]:
        if self._conn is not None:
            raise RuntimeError("a tenant session runs one transaction at a time")
        async with self._connect() as conn:
            await self._admit_on(conn)
            async with tenant_transaction(conn, self.tenant_id):
                self._conn = conn
                try:
                    yield self
                finally:
                    self._conn = None

    async def rows(self, statement: str, params: dict | None = None) -> list[dict]:
        params = params or {}
        if self._conn is not None:
            async with self._conn.cursor(row_factory=dict_row) as cur:
                await cur.execute(statement, params)
                return await cur.fetchall()
        async with self._connect() as conn:
            return await self._one_message(conn, statement, params)

    async def one(self, statement: str, params: dict | None = None) -> dict | None:
        found = await self.rows(statement, params)
        return found[0] if found else None

    async def _one_message(self, conn: psycopg.AsyncConnection, statement: str, params: dict) -> list[dict]:
        bound = {**params, "tenant_id": str(self.tenant_id)}
        limit = not self.admitted
        if limit:
            limiter = ratelimit.params(self.tenant_id, self.principal.key_id, self._bucket, self._bucket)
            clash = set(params) & set(_LIMITER_PARAMS)
            if clash:
                raise ValueError(f"query parameter names reserved for the limiter: {sorted(clash)}")
            bound.update({name: limiter[name] for name in _LIMITER_PARAMS})
        cur = psycopg.AsyncClientCursor(conn, row_factory=dict_row)
        try:
            await cur.execute(_message(statement, limit), bound)
            # Results, one per statement: begin, set_config, [limiter], set transaction, the query, commit.
            cur.nextset()
            if limit:
                cur.nextset()
                decision = ratelimit.decision(await cur.fetchone(), self._bucket)
            cur.nextset()
            cur.nextset()
            found = await cur.fetchall()
        except BaseException:
            if conn.info.transaction_status != TransactionStatus.IDLE and not conn.broken:
                await conn.execute("rollback")
            raise
        finally:
            await cur.close()
        if limit:
            self._decide(decision)
        return found

    def _decide(self, decision: ratelimit.Decision) -> None:
        headers = {"X-RateLimit-Limit": str(decision.limit), "X-RateLimit-Remaining": str(decision.remaining)}
        if not decision.allowed:
            raise Problem(429, "rate-limited",
                          f"Too many requests for this key or tenant ({self.principal.tier} tier); "
                          f"retry after {decision.retry_after} s.",
                          headers={**headers, "Retry-After": str(decision.retry_after)})
        self.admitted = True
        self._response.headers.update(headers)
        self._on_admitted()
