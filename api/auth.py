"""Who is calling: a Bearer API key, checked offline (format, checksum), then against a short cache.

The cache (TTL <= 60 s, see ApiSettings.key_cache_seconds) is why a revoked key stops working within a
minute instead of at once; it saves one lookup query per request.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from cachetools import TLRUCache
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool
from starlette.requests import Request

from api.database import query
from api.problems import Problem, forbidden, unauthorized
from earmark import credentials
from earmark.identity import oauth, roles
from earmark.settings import Settings

# Query parameter names clients use for credentials; a key there has already leaked into logs.
CREDENTIAL_PARAMS = frozenset({"api_key", "apikey", "key", "access_token", "token", "auth"})
UNKNOWN_PREFIX_SECONDS = 5.0
# About a megabyte of cached lookups per worker at most, far more keys than a worker sees in a minute.
MAX_CACHED_PREFIXES = 10_000


@dataclass(frozen=True)
class Principal:
    kind: str  # "tenant" or "platform"
    key_id: UUID
    key_hash: str
    tenant_id: UUID | None
    scopes: frozenset[str]
    tier: str | None
    # Who acts, for the audit log (pseudonymous): key:<id>, or for an OAuth token user:<id> or client:<id>.
    actor: str = ""

    def require(self, scope: str) -> None:
        if scope not in self.scopes:
            raise forbidden(f"This key lacks the {scope!r} scope; create a key that has it.",
                            slug="insufficient-scope")


class KeyCache:
    """prefix -> rows from app.find_api_key; per worker process, bounded in size and in time.

    A known key's rows live `ttl_seconds`, an unknown prefix's at most UNKNOWN_PREFIX_SECONDS; past
    `max_entries` the least recently used entry goes first, so a flood of random well-formed keys costs
    a bounded amount of memory (and one lookup each, at most every few seconds per prefix).
    """

    def __init__(self, ttl_seconds: float, max_entries: int = MAX_CACHED_PREFIXES) -> None:
        self.ttl = ttl_seconds
        unknown_ttl = min(ttl_seconds, UNKNOWN_PREFIX_SECONDS)
        self._entries: TLRUCache[str, list[dict]] = TLRUCache(
            maxsize=max_entries, ttu=lambda _key, rows, now: now + (self.ttl if rows else unknown_ttl),
            timer=time.monotonic)

    def __len__(self) -> int:
        return len(self._entries)

    async def rows(self, pool: AsyncConnectionPool, prefix: str) -> list[dict]:
        cached = self._entries.get(prefix)
        if cached is not None:
            return cached
        async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(query("find_api_key"), {"prefix": prefix})
            found = await cur.fetchall()
        self._entries[prefix] = found
        return found

    def forget(self, prefix: str) -> None:
        self._entries.pop(prefix, None)


def refuse_keys_in_query(request: Request) -> None:
    for name, value in request.query_params.multi_items():
        if name.lower() in CREDENTIAL_PARAMS or credentials.KEY_LOOKALIKE.search(value):
            raise unauthorized("API keys are accepted only in the Authorization: Bearer header, never in "
                               "the URL; revoke this key, since URLs end up in logs.")


async def authenticate(request: Request, cache: KeyCache, pool: AsyncConnectionPool,
                       settings: Settings) -> Principal:
    refuse_keys_in_query(request)
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if not header:
        raise unauthorized("Send an API key as `Authorization: Bearer ek_live_...`.")
    if scheme.lower() != "bearer" or not secret.strip():
        raise unauthorized("Use the Bearer scheme: `Authorization: Bearer ek_live_...`.")
    secret = secret.strip()
    if secret.startswith(oauth.ACCESS_PREFIX):
        return await _token_principal(pool, secret, settings)
    if not credentials.is_well_formed(secret):
        raise unauthorized("That is not an Earmark API key (wrong format or checksum); copy it again.")
    presented = credentials.key_hash(secret, settings)
    for row in await cache.rows(pool, credentials.lookup_prefix(secret)):
        if credentials.matches_hash(presented, row["key_hash"]):
            return _principal(row, presented)
    raise unauthorized("Unknown API key; check it or create a new one with `earmark keys create`.")


async def _token_principal(pool: AsyncConnectionPool, token: str, settings: Settings) -> Principal:
    """An OAuth access token (api.routers.oauth): looked up on every request, never cached, so a
    revoked grant stops working at once. A user's token carries at most what the user's role grants now."""
    if len(token) > 200:
        raise unauthorized("That is not an Earmark access token; get a new one from /oauth/token.")
    hashed = oauth.token_hash(token, settings)
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(query("oauth_access_token_find"), {"token_hash": hashed})
        row = await cur.fetchone()
    if row is None:
        raise unauthorized("This access token is unknown, expired or revoked; get a new one from "
                           "/oauth/token.")
    if row["tenant_status"] != "active":
        raise Problem(403, "tenant-suspended", "This tenant is suspended; contact the platform operator.")
    scopes = set(row["scopes"])
    if row["user_id"] is not None:
        scopes &= set(roles.ROLE_SCOPES[row["user_role"]])
    actor = f"user:{row['user_id']}" if row["user_id"] is not None else f"client:{row['client_id']}"
    return Principal(kind="tenant", key_id=row["token_id"], key_hash=hashed, tenant_id=row["tenant_id"],
                     scopes=frozenset(scopes), tier=row["tenant_tier"], actor=actor)


def _principal(row: dict, presented_hash: str) -> Principal:
    if row["revoked_at"] is not None:
        raise unauthorized("This API key was revoked; create a new one.")
    if row["expires_at"] is not None and row["expires_at"] <= datetime.now(UTC):
        raise unauthorized("This API key has expired; create a new one.")
    if row["kind"] == "tenant":
        if row["tenant_status"] == "deleted":
            raise unauthorized("The tenant of this API key was deleted.")
        if row["tenant_status"] == "suspended":
            raise Problem(403, "tenant-suspended", "This tenant is suspended; contact the platform operator.")
    return Principal(kind=row["kind"], key_id=row["id"], key_hash=presented_hash, tenant_id=row["tenant_id"],
                     scopes=frozenset(row["scopes"]), tier=row["tenant_tier"], actor=f"key:{row['id']}")
