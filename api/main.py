"""The app factory: wires settings, the pool, routers, problem handlers. Run with `earmark serve`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI

from api import problems
from api.auth import KeyCache
from api.database import make_pool
from api.deps import Services, limit_before_error, refuse_bad_wire, refuse_unknown_query
from api.oauth_server import Server as OAuthServer
from api.routers import (
    ai,
    attribution,
    audit,
    catalog,
    cost,
    downloads,
    economics,
    health,
    households,
    insights,
    keys,
    me,
    oauth,
    privacy,
    security,
    signin,
    signin_mfa,
    tenant_settings,
    tenants,
    users,
)
from api.settings import ApiSettings, get_api_settings
from api.usage import UsageCounter
from api.wire import WireGuard
from earmark.settings import Settings, get_settings

# authlib logs whole token responses at DEBUG; nothing here may ever log a token.
logging.getLogger("authlib").setLevel(logging.WARNING)


def create_app(settings: Settings | None = None, api_settings: ApiSettings | None = None,
               conninfo: str | None = None) -> FastAPI:
    """`conninfo` overrides the API role's URL (tests point it at a server that is not there)."""
    settings = settings or get_settings()
    api_settings = api_settings or get_api_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = make_pool(api_settings, conninfo)
        await pool.open(wait=False)
        services = Services(pool=pool, keys=KeyCache(api_settings.key_cache_seconds), usage=UsageCounter(),
                            settings=settings, api_settings=api_settings)
        services.oauth = OAuthServer(pool, settings)
        app.state.services = services
        flusher = asyncio.create_task(services.usage.run(pool, api_settings.usage_flush_seconds))
        try:
            yield
        finally:
            flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await flusher
            await services.usage.flush(pool)
            await pool.close()

    app = FastAPI(
        title="Earmark API",
        version="1",
        summary="Read attribution for podcast advertising, one tenant per API key.",
        lifespan=lifespan,
        # No trailing-slash redirects: a redirect re-quotes the path, and a path holding bytes that were not
        # UTF-8 (lone surrogates, see api.wire) cannot be quoted. `/keys/` is a 404, as in most APIs.
        redirect_slashes=False,
    )
    problems.install(app, before_error=limit_before_error)
    app.add_middleware(WireGuard)
    app.include_router(health.router, dependencies=[Depends(refuse_unknown_query)],
                       responses=problems.WIRE_RESPONSES)
    # Sign-in pages for people: HTML forms at the root, outside the versioned JSON API.
    for module in (signin, signin_mfa):
        app.include_router(module.router, dependencies=[Depends(refuse_unknown_query)],
                           responses=problems.WIRE_RESPONSES)
    # The authorization server reads its own parameters (RFC 6749 errors, not 422s, for unknown ones).
    app.include_router(oauth.router, dependencies=[Depends(refuse_bad_wire)],
                       responses=problems.WIRE_RESPONSES)
    v1 = APIRouter(prefix="/api/v1")
    for module in (attribution, economics, downloads, catalog, ai, insights, cost, tenant_settings, keys,
                   users, security, audit, privacy, households, me, tenants):
        v1.include_router(module.router)
    app.include_router(v1, responses=problems.WIRE_RESPONSES)
    return app
