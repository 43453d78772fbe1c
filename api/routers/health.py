"""GET /healthz: no auth; 200 when the database answers, 503 when it does not."""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.deps import ServicesDep
from api.problems import ERROR_RESPONSES, PROBLEM_BASE

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok"]
    database: Literal["ok"]


@router.get("/healthz", response_model=Health, responses={503: ERROR_RESPONSES[503]})
async def healthz(services: ServicesDep):
    try:
        async with asyncio.timeout(2):
            async with services.pool.connection(timeout=2) as conn:
                await conn.execute("select 1")
    except Exception:
        return JSONResponse(
            {"type": PROBLEM_BASE + "database-unavailable", "title": "Service Unavailable", "status": 503,
             "detail": "The database does not answer; see `earmark db status`.", "instance": "/healthz"},
            status_code=503, media_type="application/problem+json")
    return Health(status="ok", database="ok")
