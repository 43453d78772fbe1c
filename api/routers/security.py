"""The tenant's security events (scope users:admin): sign-ins, failures, throttling, sign-outs, MFA, recovery
codes, OAuth consent and code or refresh-token reuse."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import AdminUsers
from api.problems import ERROR_RESPONSES
from earmark.identity import events
from earmark.sqlfiles import load

ACTIONS = events.ACTIONS

router = APIRouter(prefix="/security", tags=["security"],
                   responses={k: ERROR_RESPONSES[k] for k in (401, 403, 422, 429)})


class SecurityEvent(BaseModel):
    id: int
    occurred_at: datetime
    actor: str
    action: Literal[ACTIONS]
    request_id: str
    details: dict


class SecurityEventPage(BaseModel):
    data: list[SecurityEvent]
    next_before_id: int | None


@router.get("/events", response_model=SecurityEventPage)
async def security_events(
    session: AdminUsers,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before_id: Annotated[int | None, Query(ge=1, le=2**63 - 1,
                                           description="The previous page's next_before_id.")] = None,
    action: Literal[ACTIONS] | None = None,
) -> SecurityEventPage:
    """Newest first; pass `next_before_id` back as `before_id` for the next page."""
    found = await session.rows(load("earmark.identity", "security_events_page"), {
        "tenant_id": session.tenant_id, "limit": limit + 1, "before_id": before_id, "action": action})
    page = found[:limit]
    return SecurityEventPage(data=page, next_before_id=page[-1]["id"] if len(found) > limit else None)
