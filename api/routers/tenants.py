"""Tenant administration for platform keys (tenants:admin); tenant keys get 403 here.

The API role cannot see across tenants, so these calls go through SECURITY DEFINER functions that
act only for a caller proving it holds a live platform key (migration 0010).

Audit: a tenant's creation and its status or tier changes are entries of the platform's chain
(earmark.privacy.audit.PLATFORM), not the tenant's, like `earmark tenants create`: the platform did them,
and a deleted tenant's history stays with the platform.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import psycopg
from fastapi import APIRouter, Query
from psycopg.rows import dict_row
from pydantic import BaseModel, ConfigDict, field_validator

from api import pages
from api.database import query
from api.deps import AdminTenants, PlatformContext
from api.problems import ERROR_RESPONSES, Problem, not_found
from api.types import text
from earmark import tenancy
from earmark.privacy import audit
from earmark.tenancy import TIERS

router = APIRouter(prefix="/tenants", tags=["tenants"],
                   responses={k: ERROR_RESPONSES[k] for k in (401, 403, 422)})

Tier = Literal[TIERS]
Status = Literal["active", "suspended", "deleted"]


class TenantOut(BaseModel):
    id: UUID
    name: str
    tier: Tier
    status: Status
    created_at: datetime


class TenantList(BaseModel):
    data: list[TenantOut]
    has_more: bool


class TenantCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"name": "Acme Audio", "tier": "standard"}]})

    # At least one character that is neither whitespace nor a control character (as the schema says).
    name: text(max_length=200, min_length=1, pattern=r"[^\s\x00-\x1f\x7f]")

    @field_validator("name")
    @classmethod
    def _visible(cls, name: str) -> str:
        # Python's strip() (which the tenancy core applies) also takes control characters such as
        # U+001E: a name of only those is empty, and would reach the database's check as a 500.
        if not name.strip():
            raise ValueError("a tenant name needs at least one visible character")
        return name
    tier: Tier = "standard"


class TenantUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"tier": "enterprise"}]})

    tier: Tier | None = None
    status: Status | None = None


async def _call(ctx: PlatformContext, statement: str, **params) -> list[dict]:
    try:
        async with ctx.conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(query(statement), {**ctx.proof, **params})
            return await cur.fetchall()
    except psycopg.errors.InsufficientPrivilege:
        raise Problem(401, "unauthorized", "This platform key is no longer valid.") from None


async def _audit(ctx: PlatformContext, action: str, tenant_id: UUID, changes: dict) -> None:
    """An entry of the platform chain, in the route's transaction (see the module's docstring)."""
    await audit.append_platform_async(ctx.conn, ctx.proof, ctx.principal.actor, action,
                                      target=f"tenant:{tenant_id}", request_id=pages.request_id(),
                                      changes=changes)


@router.get("", response_model=TenantList, responses={404: ERROR_RESPONSES[404]})
async def list_tenants(ctx: AdminTenants, limit: Annotated[int, Query(ge=1, le=500)] = 100,
                       starting_after: UUID | None = None) -> TenantList:
    """Every tenant, oldest first; page on with starting_after=<last id>."""
    after_created = None
    if starting_after is not None:
        found = await _call(ctx, "platform_get_tenant", tenant_id=starting_after)
        if not found:
            raise not_found(f"No tenant {starting_after} to start after.")
        after_created = found[0]["created_at"]
    rows = await _call(ctx, "platform_list_tenants", limit=limit + 1, after_created=after_created,
                       after_id=starting_after)
    return TenantList(data=rows[:limit], has_more=len(rows) > limit)


@router.post("", response_model=TenantOut, status_code=201,
             responses={k: ERROR_RESPONSES[k] for k in (400, 409)})
async def create_tenant(ctx: AdminTenants, body: TenantCreate) -> TenantOut:
    """Create a tenant with default attribution settings."""
    try:
        async with ctx.conn.transaction():
            rows = await _call(ctx, "platform_create_tenant", name=body.name.strip(), tier=body.tier)
            await _audit(ctx, "tenant_created", rows[0]["id"], tenancy.audit_created(rows[0]))
    except psycopg.errors.UniqueViolation:
        raise Problem(409, "conflict", f"A tenant named {body.name.strip()!r} already exists.") from None
    return rows[0]


@router.get("/{tenant_id}", response_model=TenantOut, responses={404: ERROR_RESPONSES[404]})
async def get_tenant(ctx: AdminTenants, tenant_id: UUID) -> TenantOut:
    rows = await _call(ctx, "platform_get_tenant", tenant_id=tenant_id)
    if not rows:
        raise not_found(f"No tenant {tenant_id}.")
    return rows[0]


@router.patch("/{tenant_id}", response_model=TenantOut,
              responses={k: ERROR_RESPONSES[k] for k in (400, 404)})
async def update_tenant(ctx: AdminTenants, tenant_id: UUID, body: TenantUpdate) -> TenantOut:
    """Change a tenant's tier or status (suspended tenants' keys get 403 within the key cache TTL)."""
    before = await _call(ctx, "platform_get_tenant", tenant_id=tenant_id)
    rows = await _call(ctx, "platform_update_tenant", tenant_id=tenant_id, tier=body.tier, status=body.status)
    if not rows:
        raise not_found(f"No tenant {tenant_id}.")
    for action, changes in tenancy.audit_updates(before[0], rows[0]):
        await _audit(ctx, action, tenant_id, changes)
    return rows[0]
