"""One request's access to its tenant's data, in as few round trips as possible.

On this 2-core machine every round trip to Postgres costs two context switches and a pass of the event
loop; at 1,500 requests/s they, not the SQL, are the cost (see bench/RESULTS.md). So:

- `rows()` outside a transaction sends ONE simple-protocol message:
  `begin; select set_config('app.tenant_id', ...); <rate limiter>; set transaction read only;
  <the query>; commit`.
  The tenant is still the transaction's first statement; the limiter (until it has run for this
  request) rides in the same message, so a one-query read is one round trip. Its row locks are held
  only while the server runs the rest of that message, never across a client round trip. On refusal
  app.rate_limit_admit clears the transaction's tenant, so the read that follows sees no tenant rows
  (row-level security hides them all) and is thrown away: a refused request reads no tenant data.
  A read that fails rolls the limiter's take back with it, so the limiter then runs on its own: every
  request passes it exactly once, whatever the route answers.
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

import contextlib
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
def _message(statements: tuple[str, ...], limit: bool) -> str:
    """The one message around `statements` (built once per tuple of statements, not per request)."""
    parts = ["begin", "select set_config('app.tenant_id', %(tenant_id)s, true)"]
    if limit:
        # On refusal it clears the transaction's tenant: the read that follows sees no tenant rows.
        parts.append(query("rate_limit_admit"))
    # The limiter writes; the route's statements may not (writes go through transaction()).
    parts += ["set transaction read only", *statements, "commit"]
    # Each statement on its own lines, so a trailing comment in a .sql file ends before the ';'.
    return "\n;\n".join(parts)


class TenantSession:
    def __init__(self, connect: Connect, principal: Principal, bucket: ratelimit.Bucket,
                 response: Response, on_admitted: Callable[[], None]) -> None:
        self._connect = connect  # the pool's connection(), or one connection in tests
        self.principal = principal
        self._bucket = bucket
        self._response = response
        self._on_admitted = on_admitted
        self._conn: psycopg.AsyncConnection | None = None  # set inside transaction()
        # The limiter's answer for this request, once it has run; every request gets exactly one.
        self.decision: ratelimit.Decision | None = None

    @property
    def tenant_id(self) -> UUID:
        return self.principal.tenant_id

    @property
    def connection(self) -> psycopg.AsyncConnection:
        """The connection of the open transaction() (for core functions that take one, e.g. the audit log)."""
        if self._conn is None:
            raise RuntimeError("only inside session.transaction()")
        return self._conn

    @property
    def admitted(self) -> bool:
        return self.decision is not None and self.decision.allowed

    @property
    def rate_limit_headers(self) -> dict[str, str]:
        if self.decision is None:
            return {}
        return {"X-RateLimit-Limit": str(self.decision.limit),
                "X-RateLimit-Remaining": str(self.decision.remaining)}

    async def admit(self) -> None:
        """Pass the rate limiter now, unless this request already did (either way)."""
        if self.decision is None:
            async with self._connect() as conn:
                await self._admit_on(conn)
        elif not self.decision.allowed:
            self._decide(self.decision)

    async def _admit_on(self, conn: psycopg.AsyncConnection) -> None:
        """The limiter as its own one-statement transaction on `conn` (idle, in autocommit)."""
        if self.decision is None:
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
        return (await self.results((statement,), params))[0]

    async def one(self, statement: str, params: dict | None = None) -> dict | None:
        found = await self.rows(statement, params)
        return found[0] if found else None

    async def results(self, statements: tuple[str, ...], params: dict | None = None) -> list[list[dict]]:
        """The rows of each statement, all read in one transaction (one message outside transaction())."""
        params = params or {}
        if self._conn is not None:
            found = []
            async with self._conn.cursor(row_factory=dict_row) as cur:
                for statement in statements:
                    await cur.execute(statement, params)
                    found.append(await cur.fetchall())
            return found
        async with self._connect() as conn:
            return await self._one_message(conn, statements, params)

    async def _one_message(self, conn: psycopg.AsyncConnection, statements: tuple[str, ...],
                           params: dict) -> list[list[dict]]:
        bound = {**params, "tenant_id": str(self.tenant_id)}
        limit = self.decision is None
        if limit:
            limiter = ratelimit.params(self.tenant_id, self.principal.key_id, self._bucket, self._bucket)
            clash = set(params) & set(_LIMITER_PARAMS)
            if clash:
                raise ValueError(f"query parameter names reserved for the limiter: {sorted(clash)}")
            bound.update({name: limiter[name] for name in _LIMITER_PARAMS})
        cur = psycopg.AsyncClientCursor(conn, row_factory=dict_row)
        try:
            await cur.execute(_message(statements, limit), bound)
            # Results, one per statement: begin, set_config, [limiter], set transaction, the reads, commit.
            cur.nextset()
            if limit:
                cur.nextset()
                decision = ratelimit.decision(await cur.fetchone(), self._bucket)
            cur.nextset()
            found = []
            for _ in statements:
                cur.nextset()
                found.append(await cur.fetchall())
        except psycopg.Error:
            await _rollback(conn)
            if limit and not conn.broken:
                # The read failed and took the limiter's take with it; the limiter still decides this
                # request, on its own, so a failing route is counted and refused like any other.
                await self._admit_on(conn)
            raise
        except BaseException:
            await _rollback(conn)
            raise
        finally:
            await cur.close()
        if limit:
            self._decide(decision)
        return found

    def _decide(self, decision: ratelimit.Decision) -> None:
        first = self.decision is None
        self.decision = decision
        headers = self.rate_limit_headers
        if not decision.allowed:
            raise Problem(429, "rate-limited",
                          f"Too many requests for this key or tenant ({self.principal.tier} tier); "
                          f"retry after {decision.retry_after} s.",
                          headers={**headers, "Retry-After": str(decision.retry_after)})
        self._response.headers.update(headers)
        if first:
            self._on_admitted()


async def _rollback(conn: psycopg.AsyncConnection) -> None:
    if conn.info.transaction_status != TransactionStatus.IDLE and not conn.broken:
        with contextlib.suppress(psycopg.Error):
            await conn.execute("rollback")
