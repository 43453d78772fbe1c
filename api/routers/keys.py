"""The caller's tenant's API keys (scope keys:admin): create, list, revoke. Secrets are shown once."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from api import auditing
from api.deps import AdminKeys, ServicesDep
from api.problems import ERROR_RESPONSES, forbidden, not_found
from api.types import Rfc3339Timestamp, text
from earmark import credentials, keys
from earmark.sqlfiles import load

router = APIRouter(
    prefix="/keys", tags=["keys"], responses={k: ERROR_RESPONSES[k] for k in (401, 403, 422, 429)}
)

TenantScope = Literal[credentials.TENANT_SCOPES]


class ApiKeyOut(BaseModel):
    id: UUID
    name: str
    mode: Literal["live", "test"]
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="The secret; shown only in this response.")


class ApiKeyList(BaseModel):
    data: list[ApiKeyOut]


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"name": "dashboard", "scopes": ["attribution:read"], "mode": "live"}]})

    name: text(max_length=200) = ""
    scopes: list[TenantScope] = Field(default=["attribution:read"], min_length=1,
                                      max_length=len(credentials.TENANT_SCOPES))
    expires_at: Rfc3339Timestamp | None = Field(
        default=None,
        description="When the key stops working (RFC 3339 with a zone). A time in the past is accepted "
        "and makes a key that is already expired, e.g. to test a client's handling of expiry.",
    )
    mode: Literal["live", "test"] = "live"


@router.post("", response_model=ApiKeyCreated, status_code=201, responses={
    400: ERROR_RESPONSES[400],
    201: {"description": "Created", "links": {"RevokeKey": {
        "operationId": "revoke_key", "parameters": {"key_id": "$response.body#/id"}}}}})
async def create_key(session: AdminKeys, services: ServicesDep, body: ApiKeyCreate) -> ApiKeyCreated:
    """Mint a key for the caller's tenant; it cannot carry scopes the caller's key lacks."""
    missing = sorted(set(body.scopes) - session.principal.scopes)
    if missing:
        raise forbidden(f"Your key lacks {missing[0]!r}, so it cannot grant it.", slug="insufficient-scope")
    new = credentials.generate(body.mode, services.settings)
    params = keys.insert_params(
        new,
        tenant_id=session.tenant_id,
        scopes=list(dict.fromkeys(body.scopes)),
        expires_at=body.expires_at,
        name=body.name,
    )
    async with session.transaction():
        row = await session.one(load("earmark", "keys_insert_tenant"), params)
        await auditing.record(session, "key_created", f"key:{row['id']}", keys.audit_changes(row))
    services.keys.forget(new.prefix)
    return ApiKeyCreated(**row, key=new.secret)


@router.get("", response_model=ApiKeyList)
async def list_keys(session: AdminKeys) -> ApiKeyList:
    """The tenant's keys, newest first; never their secrets."""
    found = await session.rows(load("earmark", "keys_list_tenant"), {"tenant_id": session.tenant_id})
    return ApiKeyList(data=found)


@router.delete("/{key_id}", response_model=ApiKeyOut, operation_id="revoke_key",
               responses={404: ERROR_RESPONSES[404]})
async def revoke_key(session: AdminKeys, services: ServicesDep, key_id: UUID) -> ApiKeyOut:
    """Revoke a key of the caller's tenant; other workers stop accepting it within the key cache TTL."""
    async with session.transaction():
        row = await session.one(
            load("earmark", "keys_revoke_tenant"), {"tenant_id": session.tenant_id, "id": key_id}
        )
        if row is not None:
            await auditing.record(session, "key_revoked", f"key:{row['id']}", keys.audit_changes(row))
    if row is None:
        raise not_found(f"No key {key_id}.")
    services.keys.forget(row["prefix"])
    return row
