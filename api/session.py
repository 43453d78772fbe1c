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

Values travel client-side bound in the one-message form (psycopg quotes them; the message needs the
simple protocol to hold several statements).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from uuid import UUID

import psycopg
from fastapi import Response
from psycopg.pq import TransactionStatus
from psycopg.rows import dict_row

from api import ratelimit
from api.auth import Principal
from api.database import query, tenant_transaction
from api.problems import Problem

_LIMITER_PARAMS = ("key_bucket", "key_interval", "key_burst", "tenant_interval", "tenant_burst")


class TenantSession:
    def __init__(self, conn: psycopg.AsyncConnection, principal: Principal, bucket: ratelimit.Bucket,
                 response: Response, on_admitted: Callable[[], None]) -> None:
        self.conn = conn
        self.principal = principal
        self._bucket = bucket
        self._response = response
        self._on_admitted = on_admitted
        self._in_transaction = False
        self.admitted = False

    @property
    def tenant_id(self) -> UUID:
        return self.principal.tenant_id

    async def admit(self) -> None:
        """Pass the rate limiter now (routes that read nothing call this; the others need not)."""
        if not self.admitted:
            self._decide(await ratelimit.take(self.conn, self.tenant_id, self.principal.key_id,
                                              self._bucket, self._bucket))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[TenantSession]:
        await self.admit()
        async with tenant_transaction(self.conn, self.tenant_id):
            self._in_transaction = True
            try:
                yield self
            finally:
                self._in_transaction = False

    async def rows(self, statement: str, params: dict | None = None) -> list[dict]:
        params = params or {}
        if self._in_transaction:
            async with self.conn.cursor(row_factory=dict_row) as cur:
                await cur.execute(statement, params)
                return await cur.fetchall()
        return await self._one_message(statement, params)

    async def one(self, statement: str, params: dict | None = None) -> dict | None:
        found = await self.rows(statement, params)
        return found[0] if found else None

    async def _one_message(self, statement: str, params: dict) -> list[dict]:
        statements = ["begin", "select set_config('app.tenant_id', %(tenant_id)s, true)"]
        bound = {**params, "tenant_id": str(self.tenant_id)}
        limit = not self.admitted
        if limit:
            statements.append(query("rate_limit_take"))
            limiter = ratelimit.params(self.tenant_id, self.principal.key_id, self._bucket, self._bucket)
            clash = set(params) & set(_LIMITER_PARAMS)
            if clash:
                raise ValueError(f"query parameter names reserved for the limiter: {sorted(clash)}")
            bound.update({name: limiter[name] for name in _LIMITER_PARAMS})
        # The limiter writes; the route's statement may not (writes go through transaction()).
        statements += ["set transaction read only", statement, "commit"]
        cur = psycopg.AsyncClientCursor(self.conn, row_factory=dict_row)
        try:
            # Each statement on its own lines, so a trailing comment in a .sql file ends before the ';'.
            await cur.execute("\n;\n".join(statements), bound)
            # Results, one per statement: begin, set_config, [limiter], set transaction, the query, commit.
            cur.nextset()
            if limit:
                cur.nextset()
                decision = ratelimit.decision(await cur.fetchone(), self._bucket)
            cur.nextset()
            cur.nextset()
            found = await cur.fetchall()
        except BaseException:
            if self.conn.info.transaction_status != TransactionStatus.IDLE and not self.conn.broken:
                await self.conn.execute("rollback")
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
