"""The audit entry of an API action (earmark.privacy.audit), in the route's own transaction.

The actor is the caller's pseudonym (`key:<id>`, or for an OAuth token `user:<id>` / `client:<client_id>`)
and the request id is a fresh one per request, as the sign-in pages give their security events.
"""

from __future__ import annotations

from api import pages
from api.session import TenantSession
from earmark.privacy import audit


async def record(session: TenantSession, action: str, target: str = "", changes: dict | None = None) -> int:
    """Append one entry to the caller's tenant's chain; call it inside `session.transaction()`."""
    return await audit.append_async(session.connection, session.tenant_id, session.principal.actor, action,
                                    target=target, request_id=pages.request_id(), changes=changes)
