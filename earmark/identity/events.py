"""Security events (issue 11, point 5): what happened to whom, for admins and auditors.

The actor is pseudonymous (`user:<id>`, `client:<client_id>`, `address:<HMAC prefix>`); details never
hold a secret, password, code or token. ACTIONS is the list app.security_events' check allows. Every event
is also an entry of the tenant's audit chain (earmark.privacy.audit), in the same transaction.
"""

from __future__ import annotations

import json
from uuid import UUID

import psycopg

from earmark.privacy import audit
from earmark.sqlfiles import load

ACTIONS = (
    "signin", "signin_failed", "signin_throttled", "signout",
    "mfa_enabled", "mfa_disabled", "mfa_failed", "mfa_replay", "mfa_locked", "mfa_pending_ended",
    "recovery_code_used", "recovery_codes_regenerated",
    "oauth_consent_granted", "oauth_consent_denied", "oauth_code_reuse", "oauth_refresh_reuse",
    "oauth_client_created",
)


def user_actor(user_id: UUID | str) -> str:
    return f"user:{user_id}"


async def record(conn: psycopg.AsyncConnection, tenant_id: UUID | str, actor: str, action: str,
                 request_id: str, *, target: str | None = None, **details) -> None:
    """One event, in the caller's tenant transaction (RLS checks its tenant), and its audit entry: the same
    action, the user as target (the actor when it is a user, unless `target` says otherwise), the details
    as its changes."""
    if action not in ACTIONS:
        raise ValueError(f"unknown security event {action!r}")
    await conn.execute(load("earmark.identity", "security_events_insert"), {
        "tenant_id": tenant_id, "actor": actor, "action": action, "request_id": request_id,
        "details": json.dumps(details)})
    if target is None:
        target = actor if actor.startswith("user:") else ""
    await audit.append_async(conn, tenant_id, actor, action, target=target, request_id=request_id,
                             changes=details)
