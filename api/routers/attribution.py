"""Attribution read from the dbt marts (schema analytics); the tenant is the transaction's, never a query."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Annotated, Literal

import psycopg
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.database import query
from api.deps import ReadAttribution
from api.problems import ERROR_RESPONSES, Problem, not_found
from api.session import TenantSession
from api.types import IsoDate

router = APIRouter(prefix="/attribution", tags=["attribution"],
                   responses={k: ERROR_RESPONSES[k] for k in (401, 403, 422, 429, 503)})

Model = Literal["first_touch", "last_touch", "linear", "time_decay", "position_based"]
MODELS: tuple[str, ...] = Model.__args__
ModelQuery = Annotated[Model, Query(description="Attribution model.")]
# An end before the start is an empty window (empty rows), as with Stripe's created[gte]/[lte] filters:
# the cross-field rule cannot be stated in the OpenAPI schema, so the API does not refuse it.
StartQuery = Annotated[IsoDate | None, Query(description="First conversion date (inclusive), YYYY-MM-DD.")]
EndQuery = Annotated[IsoDate | None, Query(
    description="Last conversion date (inclusive), YYYY-MM-DD; before start, the window is empty.")]
LimitQuery = Annotated[int, Query(ge=1, le=500, description="Page size.")]
AfterQuery = Annotated[str | None, Query(max_length=200, description="Conversion id the page starts after.")]


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
    rows: list[ChannelCredit]


class CampaignCredit(BaseModel):
    channel: str
    campaign_id: str
    conversions: float
    revenue: float


class CampaignCredits(BaseModel):
    model: Model
    start: date | None
    end: date | None
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
    models: list[Model]
    rows: list[ChannelByModel]


class TouchCredit(BaseModel):
    model: Model
    touch_position: int
    touch_event_id: str | None
    channel: str
    campaign_id: str
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


class ConversionPage(BaseModel):
    data: list[Conversion]
    has_more: bool


class ConversionPathPage(BaseModel):
    model: Model
    data: list[ConversionPath]
    has_more: bool


async def _rows(session: TenantSession, name: str, params: dict) -> list[dict]:
    try:
        return await session.rows(query(name), params)
    except psycopg.errors.UndefinedTable:
        raise Problem(503, "attribution-unavailable",
                      "Attribution has not been computed yet; run the pipeline (`earmark run`).") from None


@router.get("/channels", response_model=ChannelCredits)
async def channels(session: ReadAttribution, model: ModelQuery = "linear", start: StartQuery = None,
                   end: EndQuery = None) -> ChannelCredits:
    """Conversions and revenue credited to each channel under one model."""
    if start is None and end is None:
        rows = await _rows(session, "channels_all_time", {"model": model})
    else:
        rows = await _rows(session, "channels_window",
                           {"model": model, "start": start or date.min, "end": end or date.max})
    return ChannelCredits(model=model, start=start, end=end, rows=rows)


@router.get("/campaigns", response_model=CampaignCredits)
async def campaigns(session: ReadAttribution, model: ModelQuery = "linear", start: StartQuery = None,
                    end: EndQuery = None) -> CampaignCredits:
    """Conversions and revenue credited to each campaign (with its channel) under one model."""
    rows = await _rows(session, "campaigns", {"model": model, "start": start, "end": end})
    return CampaignCredits(model=model, start=start, end=end, rows=rows)


@router.get("/models", response_model=ModelComparison)
async def model_comparison(session: ReadAttribution, start: StartQuery = None,
                           end: EndQuery = None) -> ModelComparison:
    """All five models side by side, per channel."""
    if start is None and end is None:
        found = await _rows(session, "model_comparison_all_time", {})
    else:
        found = await _rows(session, "model_comparison_window",
                            {"start": start or date.min, "end": end or date.max})
    by_channel: dict[str, dict[str, ModelCredit]] = defaultdict(lambda: {m: ModelCredit() for m in MODELS})
    for row in found:
        by_channel[row["channel"]][row["model"]] = ModelCredit(conversions=row["conversions"],
                                                               revenue=row["revenue"])
    rows = [ChannelByModel(channel=channel, models=models) for channel, models in sorted(by_channel.items())]
    return ModelComparison(start=start, end=end, models=list(MODELS), rows=rows)


async def _page(session: ReadAttribution, start: date | None, end: date | None, limit: int,
                starting_after: str | None) -> tuple[list[dict], bool]:
    after_at = None
    if starting_after is not None:
        cursor = await _rows(session, "conversion_cursor", {"id": starting_after})
        if not cursor:
            raise not_found(f"No conversion {starting_after!r} to start after.")
        after_at = cursor[0]["converted_at"]
    rows = await _rows(session, "conversions_page", {
        "start": start, "end": end, "after_id": starting_after, "after_at": after_at, "limit": limit + 1})
    return rows[:limit], len(rows) > limit


@router.get("/conversions", response_model=ConversionPage, responses={404: ERROR_RESPONSES[404]})
async def conversions(session: ReadAttribution, start: StartQuery = None, end: EndQuery = None,
                      limit: LimitQuery = 50, starting_after: AfterQuery = None) -> ConversionPage:
    """Conversions with their journey, oldest first; page on with starting_after=<last id>."""
    if starting_after is None:
        rows, has_more = await _page(session, start, end, limit, starting_after)
    else:
        async with session.transaction():  # the cursor row and the page from one snapshot
            rows, has_more = await _page(session, start, end, limit, starting_after)
    return ConversionPage(data=rows, has_more=has_more)


@router.get("/paths", response_model=ConversionPathPage, responses={404: ERROR_RESPONSES[404]})
async def paths(session: ReadAttribution, model: ModelQuery = "linear", start: StartQuery = None,
                end: EndQuery = None, limit: LimitQuery = 50,
                starting_after: AfterQuery = None) -> ConversionPathPage:
    """Conversion paths with each touch's credit under one model (keyset pagination)."""
    async with session.transaction():  # the page and its touches from one snapshot
        rows, has_more = await _page(session, start, end, limit, starting_after)
        touches = await _rows(session, "touch_credits_for",
                              {"ids": [r["conversion_event_id"] for r in rows], "model": model})
    by_conversion: dict[str, list[dict]] = defaultdict(list)
    for touch in touches:
        by_conversion[touch["conversion_event_id"]].append(touch)
    data = [ConversionPath(**row, touches=by_conversion[row["conversion_event_id"]]) for row in rows]
    return ConversionPathPage(model=model, data=data, has_more=has_more)


@router.get("/conversions/{conversion_event_id}", response_model=ConversionPath,
            responses={404: ERROR_RESPONSES[404]})
async def conversion(session: ReadAttribution, conversion_event_id: str) -> ConversionPath:
    """One conversion with its touches' credit under every model; another tenant's id is a 404."""
    async with session.transaction():
        rows = await _rows(session, "conversion_get", {"id": conversion_event_id})
        if not rows:
            raise not_found(f"No conversion {conversion_event_id!r}.")
        touches = await _rows(session, "touch_credits_for", {"ids": [conversion_event_id], "model": None})
    return ConversionPath(**rows[0], touches=touches)
