"""Attribution read from the dbt marts (schema analytics); the tenant is the transaction's, never a query."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from api import cursors
from api.database import query
from api.deps import ReadAttribution, Services, ServicesDep
from api.problems import ERROR_RESPONSES, not_found
from api.session import TenantSession
from api.types import IsoDate, text
from earmark.attribution import MODELS

router = APIRouter(prefix="/attribution", tags=["attribution"],
                   responses={k: ERROR_RESPONSES[k] for k in (401, 403, 422, 429, 503)})

Model = Literal[MODELS]
ModelQuery = Annotated[Model | None, Query(
    description="Attribution model; the tenant's reporting_model (settings) when left out.",
    examples=["time_decay"])]
# An end before the start is an empty window (empty rows), as with Stripe's created[gte]/[lte] filters:
# the cross-field rule cannot be stated in the OpenAPI schema, so the API does not refuse it.
StartQuery = Annotated[IsoDate | None, Query(description="First conversion date (inclusive), YYYY-MM-DD.",
                                             examples=["2026-08-01"])]
EndQuery = Annotated[IsoDate | None, Query(
    description="Last conversion date (inclusive), YYYY-MM-DD; before start, the window is empty.",
    examples=["2026-08-31"])]
LimitQuery = Annotated[int, Query(ge=1, le=500, description="Page size.", examples=[20])]
CursorQuery = Annotated[text(max_length=2048) | None, Query(
    description="The next_cursor of the previous page (opaque); leave it out for the first page.")]
ConversionId = Annotated[text(max_length=1000), Path(description="A conversion's event_id.",
                                                     examples=["order-10023"])]
ComputedAt = Annotated[datetime | None, Field(
    description="When attribution was last computed for this tenant; null before its first run, when "
                "rows are empty because nothing was computed yet.")]

class ChannelCredit(BaseModel):
    channel: str
    conversions: float
    revenue: float
    conversion_share: float
    revenue_share: float


class ChannelCredits(BaseModel):
    model: Model
    start: date | None
    end: date | None
    computed_at: ComputedAt
    rows: list[ChannelCredit]


class ShowCredit(BaseModel):
    show_id: str = Field(description="The catalog's show id; '(unknown)' for a show it does not know yet, "
                                     "'(none)' for touches without a show and for empty paths.")
    title: str | None
    conversions: float
    revenue: float
    conversion_share: float
    revenue_share: float


class ShowCredits(BaseModel):
    model: Model
    start: date | None
    end: date | None
    computed_at: ComputedAt
    rows: list[ShowCredit]


class CampaignCredit(BaseModel):
    channel: str
    campaign_id: str
    conversions: float
    revenue: float


class CampaignCredits(BaseModel):
    model: Model
    start: date | None
    end: date | None
    computed_at: ComputedAt
    rows: list[CampaignCredit]


class ModelCredit(BaseModel):
    conversions: float = 0.0
    revenue: float = 0.0


class ChannelByModel(BaseModel):
    channel: str
    models: dict[str, ModelCredit] = Field(description="One entry per model, all five present.")


class ModelComparison(BaseModel):
    start: date | None
    end: date | None
    computed_at: ComputedAt
    models: list[Model]
    rows: list[ChannelByModel]


class TouchCredit(BaseModel):
    model: Model
    touch_position: int
    touch_event_id: str | None
    channel: str
    campaign_id: str
    show_id: str
    placement_id: str
    credit: float
    revenue_credit: float


class Conversion(BaseModel):
    conversion_event_id: str
    user_id: str
    conversion_date: date
    converted_at: datetime
    revenue: float
    path: str
    path_length: int
    first_touch_at: datetime | None
    last_touch_at: datetime | None


class ConversionPath(Conversion):
    touches: list[TouchCredit]


NextCursor = Annotated[str | None, Field(
    description="Pass as starting_after for the next page; null on the last.")]


class ConversionPage(BaseModel):
    computed_at: ComputedAt
    data: list[Conversion]
    has_more: bool
    next_cursor: NextCursor


class ConversionPathPage(BaseModel):
    model: Model
    computed_at: ComputedAt
    data: list[ConversionPath]
    has_more: bool
    next_cursor: NextCursor


async def marts_computed(session: TenantSession, services: Services) -> bool:
    """Whether this install has marts yet; when not, the request still passes the limiter."""
    if await services.marts.ready(session):
        return True
    await session.admit()
    return False


async def read_mart(session: TenantSession, services: Services, statement: str, params: dict
                    ) -> tuple[list[dict], datetime | None, str]:
    """A mart's rows, when they were computed and the model they are under (the one in params, else the
    tenant's reporting_model), in one message; nothing computed yet is no rows."""
    if not await services.marts.ready(session):
        found = await session.one(query("reporting_model"))  # passes the limiter as any read
        return [], None, params.get("model") or found["reporting_model"]
    rows, context = await session.results((statement, query("attribution_computed_at")), params)
    return rows, context[0]["computed_at"], params.get("model") or context[0]["reporting_model"]


async def _read(session: TenantSession, services: Services, name: str,
                params: dict) -> tuple[list[dict], datetime | None, str]:
    return await read_mart(session, services, query(name), params)


@router.get("/channels", response_model=ChannelCredits)
async def channels(session: ReadAttribution, services: ServicesDep, model: ModelQuery = None,
                   start: StartQuery = None, end: EndQuery = None) -> ChannelCredits:
    """Conversions and revenue credited to each channel under one model."""
    if start is None and end is None:
        rows, computed_at, model = await _read(session, services, "channels_all_time", {"model": model})
    else:
        rows, computed_at, model = await _read(
            session, services, "channels_window", {"model": model, "start": start or date.min,
                                                   "end": end or date.max})
    return ChannelCredits(model=model, start=start, end=end, computed_at=computed_at, rows=rows)


@router.get("/shows", response_model=ShowCredits)
async def shows(session: ReadAttribution, services: ServicesDep, model: ModelQuery = None,
                start: StartQuery = None, end: EndQuery = None) -> ShowCredits:
    """Conversions and revenue credited to each show under one model; they sum to the tenant's conversions."""
    rows, computed_at, model = await _read(session, services, "shows",
                                           {"model": model, "start": start, "end": end})
    return ShowCredits(model=model, start=start, end=end, computed_at=computed_at, rows=rows)


@router.get("/campaigns", response_model=CampaignCredits)
async def campaigns(session: ReadAttribution, services: ServicesDep, model: ModelQuery = None,
                    start: StartQuery = None, end: EndQuery = None) -> CampaignCredits:
    """Conversions and revenue credited to each campaign (with its channel) under one model."""
    params = {"model": model, "start": start, "end": end}
    rows, computed_at, model = await _read(session, services, "campaigns", params)
    return CampaignCredits(model=model, start=start, end=end, computed_at=computed_at, rows=rows)


@router.get("/models", response_model=ModelComparison)
async def model_comparison(session: ReadAttribution, services: ServicesDep, start: StartQuery = None,
                           end: EndQuery = None) -> ModelComparison:
    """All five models side by side, per channel."""
    if start is None and end is None:
        found, computed_at, _ = await _read(session, services, "model_comparison_all_time", {})
    else:
        found, computed_at, _ = await _read(session, services, "model_comparison_window",
                                            {"start": start or date.min, "end": end or date.max})
    by_channel: dict[str, dict[str, ModelCredit]] = defaultdict(lambda: {m: ModelCredit() for m in MODELS})
    for row in found:
        by_channel[row["channel"]][row["model"]] = ModelCredit(conversions=row["conversions"],
                                                               revenue=row["revenue"])
    rows = [ChannelByModel(channel=channel, models=models) for channel, models in sorted(by_channel.items())]
    return ModelComparison(start=start, end=end, computed_at=computed_at, models=list(MODELS), rows=rows)


def _page_params(session: TenantSession, services: Services, start: date | None, end: date | None,
                 limit: int, starting_after: str | None) -> dict:
    after_at = after_id = None
    if starting_after is not None:
        after_at, after_id = cursors.decode(services.settings, session.tenant_id, starting_after)
    return {"start": start, "end": end, "after_id": after_id, "after_at": after_at, "limit": limit + 1}


def _next_cursor(session: TenantSession, services: Services, rows: list[dict], has_more: bool) -> str | None:
    if not has_more:
        return None
    last = rows[-1]
    return cursors.encode(services.settings, session.tenant_id, last["converted_at"],
                          last["conversion_event_id"])


def _page_links(operation: str) -> dict:
    """OpenAPI links: how a client (and schemathesis' stateful phase) gets from a page to the next page
    and to one of its conversions."""
    return {200: {"description": "Successful Response", "links": {
        "NextPage": {"operationId": operation,
                     "parameters": {"starting_after": "$response.body#/next_cursor"}},
        "FirstConversion": {"operationId": "conversion", "parameters": {
            "conversion_event_id": "$response.body#/data/0/conversion_event_id"}},
    }}}


@router.get("/conversions", response_model=ConversionPage, operation_id="conversions",
            responses=_page_links("conversions"))
async def conversions(session: ReadAttribution, services: ServicesDep, start: StartQuery = None,
                      end: EndQuery = None, limit: LimitQuery = 50,
                      starting_after: CursorQuery = None) -> ConversionPage:
    """Conversions with their journey, oldest first; page on with starting_after=<next_cursor>."""
    params = _page_params(session, services, start, end, limit, starting_after)
    rows, computed_at, _ = await _read(session, services, "conversions_page", params)
    rows, has_more = rows[:limit], len(rows) > limit
    return ConversionPage(computed_at=computed_at, data=rows, has_more=has_more,
                          next_cursor=_next_cursor(session, services, rows, has_more))


@router.get("/paths", response_model=ConversionPathPage, operation_id="paths",
            responses=_page_links("paths"))
async def paths(session: ReadAttribution, services: ServicesDep, model: ModelQuery = None,
                start: StartQuery = None, end: EndQuery = None, limit: LimitQuery = 50,
                starting_after: CursorQuery = None) -> ConversionPathPage:
    """Conversion paths with each touch's credit under one model (keyset pagination)."""
    params = _page_params(session, services, start, end, limit, starting_after)
    if not await services.marts.ready(session):
        found = await session.one(query("reporting_model"))
        return ConversionPathPage(model=model or found["reporting_model"], computed_at=None, data=[],
                                  has_more=False, next_cursor=None)
    async with session.transaction():  # the page and its touches from one snapshot
        fetched, computed = await session.results(
            (query("conversions_page"), query("attribution_computed_at")), params)
        model = model or computed[0]["reporting_model"]
        rows, has_more = fetched[:limit], len(fetched) > limit
        touches = await session.rows(query("touch_credits_for"),
                                     {"ids": [r["conversion_event_id"] for r in rows], "model": model})
    by_conversion: dict[str, list[dict]] = defaultdict(list)
    for touch in touches:
        by_conversion[touch["conversion_event_id"]].append(touch)
    data = [ConversionPath(**row, touches=by_conversion[row["conversion_event_id"]]) for row in rows]
    return ConversionPathPage(model=model, computed_at=computed[0]["computed_at"], data=data,
                              has_more=has_more, next_cursor=_next_cursor(session, services, rows, has_more))


@router.get("/conversions/{conversion_event_id}", response_model=ConversionPath, operation_id="conversion",
            responses={404: ERROR_RESPONSES[404]})
async def conversion(session: ReadAttribution, services: ServicesDep,
                     conversion_event_id: ConversionId) -> ConversionPath:
    """One conversion with its touches' credit under every model; another tenant's id is a 404."""
    rows, touches = [], []
    if await marts_computed(session, services):
        async with session.transaction():
            rows = await session.rows(query("conversion_get"), {"id": conversion_event_id})
            if rows:
                touches = await session.rows(query("touch_credits_for"),
                                             {"ids": [conversion_event_id], "model": None})
    if not rows:
        raise not_found(f"No conversion {conversion_event_id!r}.")
    return ConversionPath(**rows[0], touches=touches)
