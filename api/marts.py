"""Whether the attribution marts exist yet, per worker: a new install has none until its first run.

Once they exist they stay (dbt swaps tables, it never leaves them missing), so the answer is cached for
good. Until then a request looks at most every RECHECK_SECONDS; in between, attribution routes answer
"nothing computed yet" without sending a query that would fail (and log an error on the server) for
every poll of a new tenant's dashboard.
"""

from __future__ import annotations

import time

from api.database import query
from api.session import TenantSession

RECHECK_SECONDS = 2.0


class MartsProbe:
    def __init__(self) -> None:
        self._ready = False
        self._checked_at = float("-inf")

    async def ready(self, session: TenantSession) -> bool:
        if self._ready:
            return True
        now = time.monotonic()
        if now - self._checked_at >= RECHECK_SECONDS:
            self._checked_at = now
            found = await session.one(query("attribution_marts_exist"))  # passes the limiter as any read
            self._ready = bool(found and found["ready"])
        return self._ready
