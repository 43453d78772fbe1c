"""What the nightly models made of the tenant's daily metrics: anomalies, forecasts, campaign predictions and
recommendations, each from the newest night (`as_of`, the last UTC day the models read). Read from schema
`ai`, which the insights job writes; row-level security keeps every statement to the key's tenant.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api import cursors
from api.database import query
from api.deps import ReadAttribution, ServicesDep
from api.problems import ERROR_RESPONSES
from api.types import IsoDate, text

router = APIRouter(prefix="/ai", tags=["ai"],
                   responses={k: ERROR_RESPONSES[k] for k in (401, 403, 422, 429, 503)})

# The values the tables' check constraints allow (earmark/migrations/0026_ai_insights.sql).
AnomalyKind = Literal["spike", "dip", "level_shift", "pattern_break"]
RecommendationKind = Literal["budget_shift", "ad_read_fix", "anomaly_action"]
Dimension = Literal["episode", "ip_key", "campaign", "show", "channel"]
CURSOR_KIND = "ai_anomalies"

StartQuery = Annotated[IsoDate | None, Query(description="First UTC day (inclusive), YYYY-MM-DD.",
                                             examples=["2026-11-01"])]
EndQuery = Annotated[IsoDate | None, Query(description="Last UTC day (inclusive), YYYY-MM-DD.",
                                           examples=["2026-11-30"])]
MetricName = text(max_length=63)
MetricQuery = Annotated[MetricName | None, Query(
    description="Only this metric: downloads, impressions, site_visits, conversions, revenue, spend or an "
                "imported one.", examples=["downloads"])]
ShowQuery = Annotated[text(max_length=1000) | None, Query(description="Only this show's series.",
                                                          examples=["show-1"])]
CampaignQuery = Annotated[text(max_length=1000) | None, Query(description="Only this campaign's series.",
                                                              examples=["cmp-1"])]
LimitQuery = Annotated[int, Query(ge=1, le=1000, description="Page size.", examples=[100])]
CursorQuery = Annotated[text(max_length=2048) | None, Query(
    description="The next_cursor of the previous page (opaque); leave it out for the first page.")]
AsOf = Annotated[dt.date | None, Field(description="The newest night the models ran for: the last UTC day "
                                                   "they read; null before the first night.")]


class Anomaly(BaseModel):
    show_id: str | None = Field(description="The show of a show's series; null for a campaign's.")
    campaign_id: str | None = Field(description="The campaign of a campaign's series; null for a show's.")
    metric: str
    date: dt.date
    actual: float
    expected: float = Field(description="What the model expected that day (weekday, release, trend, "
                                        "holiday).")
    lower: float = Field(description="The lower edge of the normal band.")
    upper: float = Field(description="The upper edge of the normal band.")
    score: float = Field(description="How far outside the band, in robust standard deviations.")
    kind: AnomalyKind
    explanation: str = Field(description="One sentence a media buyer can read.")
    dimension: Dimension | None = Field(description="What contributed most to the gap, where Earmark has the "
                                                    "detail (ip_key is a keyed pseudonym, never an address).")
    dimension_value: str | None
    dimension_share: float | None = Field(description="Its share of the gap, 0..1.")


class AnomalyPage(BaseModel):
    as_of: AsOf
    data: list[Anomaly]
    has_more: bool
    next_cursor: str | None = Field(description="Pass as starting_after for the next page; null on the last.")


class ForecastDay(BaseModel):
    show_id: str | None
    campaign_id: str | None
    metric: str
    date: dt.date
    predicted: float
    lower: float = Field(description="80 % interval, lower edge.")
    upper: float = Field(description="80 % interval, upper edge.")


class PlacementPrediction(BaseModel):
    campaign_id: str
    show_id: str
    slot: str
    kind: str
    weeks: int = Field(description="Weeks predicted, at the placement's recent weekly spend.")
    spend: float = Field(description="Planned spend over those weeks, in the campaign's currency.")
    conversions: float
    conversions_lower: float = Field(description="80 % interval.")
    conversions_upper: float
    roas: float | None = Field(description="Revenue over spend; null without spend or revenue history.")
    roas_lower: float | None
    roas_upper: float | None
    pooled: bool = Field(description="Whether the curve borrowed from the tenant's placements of the same "
                                     "kind and slot (little history of its own).")
    validation: dict[str, Any] = Field(description="The time-ordered validation error of the model beside a "
                                                   "naive baseline's.")
    model: dict[str, Any] | None = Field(description="The model, its version and parameters.")


class Recommendation(BaseModel):
    seq: int
    kind: RecommendationKind
    target: str
    action: str = Field(description="One sentence to act on.")
    effect: float = Field(description="Expected effect, in effect_unit.")
    effect_lower: float = Field(description="80 % interval.")
    effect_upper: float
    effect_unit: str
    evidence: dict[str, Any]
    model: dict[str, Any] = Field(description="The model the recommendation assumes (attribution model, "
                                              "curve, version).")


class Forecasts(BaseModel):
    as_of: AsOf
    data: list[ForecastDay]


class Predictions(BaseModel):
    as_of: AsOf
    data: list[PlacementPrediction]


class Recommendations(BaseModel):
    as_of: AsOf
    data: list[Recommendation]


async def _read(session, statement: str, task: str, params: dict) -> tuple[list[dict], dt.date | None]:
    """The rows of the newest night and that night, from one snapshot in one message."""
    rows, night = await session.results((query(statement), query("ai_night")), {**params, "task": task})
    return rows, night[0]["as_of"]


@router.get("/anomalies", response_model=AnomalyPage, operation_id="list_anomalies")
async def anomalies(session: ReadAttribution, services: ServicesDep, start: StartQuery = None,
                    end: EndQuery = None, metric: MetricQuery = None, kind: AnomalyKind | None = None,
                    show_id: ShowQuery = None, campaign_id: CampaignQuery = None, limit: LimitQuery = 100,
                    starting_after: CursorQuery = None) -> AnomalyPage:
    """The newest night's anomalies, oldest day first (keyset pagination), with what the model expected and
    one sentence explaining each."""
    params = {"start": start, "end": end, "metric": metric, "kind": kind, "show_id": show_id,
              "campaign_id": campaign_id, "limit": limit + 1, "after_day": None, "after_scope": None,
              "after_entity": None, "after_metric": None}
    if starting_after is not None:
        day, params["after_scope"], params["after_entity"], params["after_metric"] = cursors.unseal(
            services.settings, session.tenant_id, CURSOR_KIND, starting_after, 4)
        params["after_day"] = dt.date.fromisoformat(day)
    found, night = await _read(session, "ai_anomalies", "anomalies", params)
    rows, has_more = found[:limit], len(found) > limit
    cursor = None
    if has_more:
        last = rows[-1]
        cursor = cursors.seal(services.settings, session.tenant_id, CURSOR_KIND,
                              [last["date"].isoformat(), last["scope"], last["entity_id"], last["metric"]])
    return AnomalyPage(as_of=night, data=rows, has_more=has_more, next_cursor=cursor)


@router.get("/forecasts", response_model=Forecasts)
async def forecasts(session: ReadAttribution, metric: Annotated[MetricName, Query(
                        description="The metric to forecast.", examples=["downloads"])],
                    show_id: ShowQuery = None, campaign_id: CampaignQuery = None) -> Forecasts:
    """The newest night's forecast of the next 28 days with 80 % intervals, per show (or the campaign
    asked for); `earmark forecast` makes one for any night and horizon."""
    rows, night = await _read(session, "ai_forecasts", "forecasts",
                              {"metric": metric, "show_id": show_id, "campaign_id": campaign_id})
    return Forecasts(as_of=night, data=rows)


@router.get("/predictions", response_model=Predictions)
async def predictions(session: ReadAttribution, campaign_id: CampaignQuery = None) -> Predictions:
    """What each running campaign's placements should deliver over the next four weeks at their recent
    spend: conversions and ROAS with 80 % intervals, the validation error beside a naive baseline's, and the
    model."""
    rows, night = await _read(session, "ai_predictions", "campaign_predictions", {"campaign_id": campaign_id})
    return Predictions(as_of=night, data=rows)


@router.get("/recommendations", response_model=Recommendations)
async def recommendations(session: ReadAttribution,
                          kind: RecommendationKind | None = None) -> Recommendations:
    """The newest night's recommendations: budget shifts, ad-read fixes and anomalies to act on, each with
    its expected effect and interval, its evidence and the model it assumes."""
    rows, night = await _read(session, "ai_recommendations", "recommendations", {"kind": kind})
    return Recommendations(as_of=night, data=rows)
