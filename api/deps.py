"""`Annotated` dependencies, so each route's signature reads as what it needs.

The tenant of a request comes only from its key: a TenantSession (api.session) runs every query in a
transaction on the API role whose first statement sets app.tenant_id to the key's tenant.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated

import psycopg
from fastapi import Depends, Request, Response, Security
from fastapi.security import HTTPBearer
from psycopg_pool import AsyncConnectionPool

from api import ratelimit
from api.auth import KeyCache, Principal, authenticate
from api.database import query, tenant_transaction
from api.problems import Problem, forbidden
from api.session import TenantSession
from api.settings import ApiSettings
from api.usage import UsageCounter
from earmark.settings import Settings

# Declares the Bearer scheme in OpenAPI; the header itself is read in api.auth.
bearer_scheme = HTTPBearer(auto_error=False, bearerFormat="ek_live_...", scheme_name="ApiKey")


@dataclass
class Services:
    """What create_app builds once per worker; routes reach it through these dependencies."""

    pool: AsyncConnectionPool
    keys: KeyCache
    usage: UsageCounter
    settings: Settings
    api_settings: ApiSettings


@dataclass(frozen=True)
class PlatformContext:
    conn: psycopg.AsyncConnection
    principal: Principal

    @property
    def proof(self) -> dict:
        """What the SECURITY DEFINER platform functions check before acting."""
        return {"key_id": self.principal.key_id, "key_hash": self.principal.key_hash}


async def get_services(request: Request) -> Services:
    # async on purpose: FastAPI runs plain `def` dependencies in a thread pool, a hand-off per request.
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


def _declared_query_names(dependant) -> set[str]:
    names = {field.alias for field in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _declared_query_names(sub)
    return names


async def refuse_unknown_query(request: Request) -> None:
    """A misspelt filter must not silently widen an answer: unknown query parameters are a 422."""
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


async def current_principal(request: Request, services: ServicesDep,
                            _bearer: Annotated[object, Security(bearer_scheme)] = None) -> Principal:
    principal = await authenticate(request, services.keys, services.pool, services.settings)
    await refuse_unknown_query(request)
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def tenant_session(scope: str | None = None) -> Callable[..., AsyncIterator[TenantSession]]:
    """A dependency: the caller's tenant session, after scope and quota checks; its first query passes
    the rate limiter (see api.session)."""

    async def _session(principal: PrincipalDep, services: ServicesDep,
                       response: Response) -> AsyncIterator[TenantSession]:
        if principal.kind != "tenant":
            raise forbidden("This endpoint reads one tenant's data; use a tenant key, not a platform key.",
                            slug="tenant-key-required")
        if scope:
            principal.require(scope)
        usage = services.usage
        usage.check_quota(principal.tenant_id, principal.tier)
        bucket = ratelimit.tier_bucket(principal.tier, services.api_settings.burst_seconds,
                                       services.api_settings.rate_limit_scale)
        async with services.pool.connection() as conn:
            if not usage.knows(principal.tenant_id):  # once per tenant and worker
                async with tenant_transaction(conn, principal.tenant_id):
                    cur = await conn.execute(query("usage_current"), {"tenant_id": principal.tenant_id})
                    row = await cur.fetchone()
                usage.learn(principal.tenant_id, row[2])
                usage.check_quota(principal.tenant_id, principal.tier)
            session = TenantSession(conn, principal, bucket, response,
                                    lambda: usage.count(principal.tenant_id, principal.key_id))
            yield session
            if not session.admitted:
                # Every route must reach the limiter (a query or session.admit()); a test catches a miss.
                raise RuntimeError(f"{scope or 'tenant'} route answered without passing the rate limiter")

    return _session


ReadAttribution = Annotated[TenantSession, Depends(tenant_session("attribution:read"), scope="function")]
ReadTenant = Annotated[TenantSession, Depends(tenant_session(), scope="function")]
WriteSettings = Annotated[TenantSession, Depends(tenant_session("settings:write"), scope="function")]
AdminKeys = Annotated[TenantSession, Depends(tenant_session("keys:admin"), scope="function")]


async def _platform_session(principal: PrincipalDep, services: ServicesDep) -> AsyncIterator[PlatformContext]:
    if principal.kind != "platform":
        raise forbidden("Tenant administration needs a platform key with the tenants:admin scope.",
                        slug="insufficient-scope")
    principal.require("tenants:admin")
    async with services.pool.connection() as conn, conn.transaction():
        yield PlatformContext(conn, principal)


AdminTenants = Annotated[PlatformContext, Depends(_platform_session, scope="function")]
