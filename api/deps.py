"""`Annotated` dependencies, so each route's signature reads as what it needs.

The tenant of a request comes only from its key: a TenantSession (api.session) runs every query in a
transaction on the API role whose first statement sets app.tenant_id to the key's tenant.

Why the key checks are security *schemes* rather than chains of small `Depends`: FastAPI solves every
dependant of a route on every request, and on this 2-core machine that solving was the largest share
of a read's CPU (py-spy and cProfile, see bench/RESULTS.md). One scheme object per kind of caller
authenticates, checks scope and quota and builds the session in a single dependant, and is still what
OpenAPI shows as the Bearer security scheme.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Annotated

import psycopg
from fastapi import Depends, Request, Response
from fastapi.openapi.models import HTTPBearer as HTTPBearerModel
from fastapi.security.base import SecurityBase
from psycopg_pool import AsyncConnectionPool

from api import ratelimit
from api.auth import KeyCache, Principal, authenticate
from api.database import query, tenant_transaction
from api.marts import MartsProbe
from api.problems import Problem, forbidden, wire_problem
from api.session import TenantSession
from api.settings import ApiSettings
from api.usage import UsageCounter
from earmark.settings import Settings

log = logging.getLogger("earmark.api")


@dataclass
class Services:
    """What create_app builds once per worker; routes reach it through these dependencies."""

    pool: AsyncConnectionPool
    keys: KeyCache
    usage: UsageCounter
    settings: Settings
    api_settings: ApiSettings
    marts: MartsProbe = field(default_factory=MartsProbe)
    oauth: object = None  # api.oauth_server.Server, built with the pool


@dataclass(frozen=True)
class PlatformContext:
    conn: psycopg.AsyncConnection
    principal: Principal

    @property
    def proof(self) -> dict:
        """What the SECURITY DEFINER platform functions check before acting."""
        return {"key_id": self.principal.key_id, "key_hash": self.principal.key_hash}


def services_of(request: Request) -> Services:
    return request.app.state.services


async def get_services(request: Request) -> Services:
    # async on purpose: FastAPI runs plain `def` dependencies in a thread pool, a hand-off per request.
    return services_of(request)


ServicesDep = Annotated[Services, Depends(get_services)]


def _declared_query_names(dependant) -> set[str]:
    names = {field.alias for field in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _declared_query_names(sub)
    return names


async def refuse_unknown_query(request: Request) -> None:
    """A misspelt filter must not silently widen an answer: unknown query parameters are a 422. First, any
    problem api.wire found in the raw URL (every route passes here, tenant routes after the limiter)."""
    found = wire_problem(request)
    if found is not None:
        raise found
    route = request.scope.get("route")
    if route is None or not request.query_params:
        return
    # The names a route declares (its own and its dependencies') are computed once and kept on it.
    declared = getattr(route, "_earmark_query_names", None)
    if declared is None:
        declared = frozenset(_declared_query_names(route.dependant))
        route._earmark_query_names = declared
    unknown = sorted(set(request.query_params) - declared)
    if unknown:
        raise Problem(422, "validation-error", f"Unknown query parameter {unknown[0]!r}.",
                      errors=[{"loc": ["query", name], "msg": "unknown parameter", "type": "extra_forbidden"}
                              for name in unknown])


async def refuse_bad_wire(request: Request) -> None:
    """Only api.wire's checks of the raw URL, for routes whose query parameters are a protocol's (OAuth
    ignores parameters it does not know, RFC 6749 section 3.1)."""
    found = wire_problem(request)
    if found is not None:
        raise found


class ApiKey(SecurityBase):
    """`Authorization: Bearer ek_live_...`: the one security scheme of the API (see api.auth)."""

    def __init__(self) -> None:
        self.model = HTTPBearerModel(bearerFormat="ek_live_...")
        self.scheme_name = "ApiKey"

    async def principal(self, request: Request) -> Principal:
        services = services_of(request)
        return await authenticate(request, services.keys, services.pool, services.settings)


class TenantKey(ApiKey):
    """A tenant's key with `scope`: the tenant session, after the quota check; its first query passes the
    rate limiter (see api.session), and so does any error answered after the session exists."""

    def __init__(self, scope: str | None = None) -> None:
        super().__init__()
        self.scope = scope

    async def __call__(self, request: Request, response: Response) -> TenantSession:
        request.state.tenant_key_checked = True
        principal = await self.principal(request)
        if principal.kind != "tenant":
            raise forbidden("This endpoint reads one tenant's data; use a tenant key, not a platform key.",
                            slug="tenant-key-required")
        services = services_of(request)
        usage = services.usage
        if not usage.knows(principal.tenant_id):  # once per tenant and worker
            async with services.pool.connection() as conn, tenant_transaction(conn, principal.tenant_id):
                cur = await conn.execute(query("usage_current"), {"tenant_id": principal.tenant_id})
                row = await cur.fetchone()
            usage.learn(principal.tenant_id, row[2])
        usage.check_quota(principal.tenant_id, principal.tier)
        bucket = ratelimit.tier_bucket(principal.tier, services.api_settings.burst_seconds,
                                       services.api_settings.rate_limit_scale)
        # Every tenant route reaches the limiter (a query or session.admit()); a test checks each route.
        session = TenantSession(services.pool.connection, principal, bucket, response,
                                lambda: usage.count(principal.tenant_id, principal.key_id))
        # From here on every answer passes the limiter, errors included (limit_before_error).
        request.state.tenant_session = session
        if self.scope:
            principal.require(self.scope)
        await refuse_unknown_query(request)
        return session


def _tenant_key_of(route: object) -> TenantKey | None:
    dependant = getattr(route, "dependant", None)
    for dependency in getattr(dependant, "dependencies", ()):
        if isinstance(dependency.call, TenantKey):
            return dependency.call
    return None


async def limit_before_error(request: Request) -> tuple[Problem | None, dict[str, str]]:
    """Limits first: an error answer to a tenant key passes the rate limiter as a success would.

    Returns the 429 to answer instead of the error (None when the limiter admits), and the rate-limit
    headers to add. FastAPI parses a JSON body before it solves dependencies, so a malformed body can
    fail before the key was even checked: the route's key dependency then runs here first.
    """
    session = getattr(request.state, "tenant_session", None)
    try:
        if session is None and not getattr(request.state, "tenant_key_checked", False):
            session = await _key_session(request)
        if session is None:
            return None, {}
        await session.admit()
    except Problem as refused:  # the limiter's (or the quota's) 429 answers instead
        return refused, {}
    except Exception:  # e.g. the database is gone: answer the original error
        log.warning("limiter skipped on an error answer", exc_info=True)
        return None, {}
    return None, session.rate_limit_headers


async def _key_session(request: Request) -> TenantSession | None:
    """The route's key dependency, run for an error raised before FastAPI got to it."""
    key = _tenant_key_of(request.scope.get("route"))
    if key is None:
        return None
    try:
        return await key(request, Response())
    except Problem as failed:
        if failed.status == 429:  # the quota refused
            raise
        # Any other problem of the key (scope, unknown parameter) leaves the original error to answer,
        # after the limiter if the session was made before the key's check failed.
        return getattr(request.state, "tenant_session", None)


class PlatformKey(ApiKey):
    """A platform key with `tenants:admin`: yields one transaction for tenant administration."""

    async def __call__(self, request: Request) -> AsyncIterator[PlatformContext]:
        principal = await self.principal(request)
        await refuse_unknown_query(request)
        if principal.kind != "platform":
            raise forbidden("Tenant administration needs a platform key with the tenants:admin scope.",
                            slug="insufficient-scope")
        principal.require("tenants:admin")
        async with services_of(request).pool.connection() as conn, conn.transaction():
            yield PlatformContext(conn, principal)


ReadAttribution = Annotated[TenantSession, Depends(TenantKey("attribution:read"))]
ReadTenant = Annotated[TenantSession, Depends(TenantKey())]
WriteSettings = Annotated[TenantSession, Depends(TenantKey("settings:write"))]
AdminKeys = Annotated[TenantSession, Depends(TenantKey("keys:admin"))]
WriteCatalog = Annotated[TenantSession, Depends(TenantKey("catalog:write"))]
AdminUsers = Annotated[TenantSession, Depends(TenantKey("users:admin"))]
AdminTenants = Annotated[PlatformContext, Depends(PlatformKey(), scope="function")]
