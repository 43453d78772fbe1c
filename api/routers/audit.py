"""The tenant's audit log (scope users:admin, as the security events): who did what, newest first.

Each entry is one link of the tenant's hash chain (earmark.privacy.audit); `hash` lets an auditor check a
copy against `earmark audit verify`. Actors are pseudonymous and `changes` never holds a secret.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api import cursors
from api.deps import AdminUsers, ServicesDep
from api.problems import ERROR_RESPONSES, Problem
from api.types import Rfc3339Timestamp, text
from earmark.sqlfiles import load

ACTION_PATTERN = r"^[a-z][a-z0-9_.]{0,62}$"  # what app.audit_log's check allows
CURSOR_KIND = "audit"

router = APIRouter(prefix="/audit", tags=["audit"],
                   responses={k: ERROR_RESPONSES[k] for k in (401, 403, 422, 429)})


class AuditEntry(BaseModel):
    seq: int = Field(description="The entry's place in the tenant's chain, from 1, without gaps.")
    occurred_at: datetime
    actor: str = Field(description="user:<id>, key:<id>, client:<client_id>, cli:<os user> or system.")
    action: str = Field(description="One of earmark.privacy.actions.ACTIONS, e.g. key_created.")
    target: str
    request_id: str
    changes: dict
    hash: str = Field(description="sha256 (hex) of the entry's content and the previous entry's hash.")


class AuditPage(BaseModel):
    data: list[AuditEntry]
    has_more: bool
    next_cursor: str | None = Field(description="Pass as starting_after for the next page; null on the last.")


@router.get("", response_model=AuditPage)
async def audit_log(
    session: AdminUsers,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=500, description="Page size.")] = 100,
    starting_after: Annotated[text(max_length=2048) | None, Query(
        description="The next_cursor of the previous page (opaque); omit it for the first page.")] = None,
    action: Annotated[text(max_length=63, pattern=ACTION_PATTERN) | None, Query(
        description="Only entries of this action.", examples=["key_created"])] = None,
    since: Annotated[Rfc3339Timestamp | None, Query(
        description="Only entries at or after this time (RFC 3339 with a zone).")] = None,
    until: Annotated[Rfc3339Timestamp | None, Query(
        description="Only entries before this time (RFC 3339 with a zone).")] = None,
) -> AuditPage:
    """Newest first (by seq); pass `next_cursor` back as `starting_after` for the next page."""
    before_seq = None
    if starting_after is not None:
        (position,) = cursors.unseal(services.settings, session.tenant_id, CURSOR_KIND, starting_after, 1)
        if not (position.isascii() and position.isdigit()):  # only a forger with the server secret
            raise Problem(422, "validation-error", "query.starting_after: not a cursor this API issued.")
        before_seq = int(position)
    found = await session.rows(load("earmark.privacy", "audit_page"), {
        "tenant_id": session.tenant_id, "limit": limit + 1, "before_seq": before_seq, "action": action,
        "since": since, "until": until})
    page, has_more = found[:limit], len(found) > limit
    cursor = cursors.seal(services.settings, session.tenant_id, CURSOR_KIND, [str(page[-1]["seq"])]) \
        if has_more else None
    return AuditPage(data=page, has_more=has_more, next_cursor=cursor)
