"""Household matching's figures and each campaign's lift (scope attribution:read).

Every figure's definition is in the README's "Households" section and on the fields below; lift is the
nightly campaign_lift result (earmark.households.lift_runs), computed again any time with `earmark lift`.
"""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.database import query
from api.deps import ReadAttribution
from api.problems import ERROR_RESPONSES, not_found
from api.routers.attribution import EndQuery, Model, ModelQuery, StartQuery
from api.types import text

router = APIRouter(tags=["households"], responses={k: ERROR_RESPONSES[k] for k in (401, 403, 422, 429, 503)})

Ratio = float | None


class HouseholdMetricsRow(BaseModel):
    day: date
    campaign_id: str
    show_id: str
    impressions: int = Field(description="Delivered ads of the campaign on the show that day (IAB v2.2).")
    reach: int = Field(description="Distinct households (IP keys) among them; not additive across days.")
    frequency: Ratio = Field(description="impressions / reach.")
    eligible: int = Field(
        description="Impressions to residential, unshared households (the only ones that can match)."
    )
    matched: int = Field(description="Impressions matched to a visit of the same household in the window.")
    match_rate: Ratio = Field(description="matched / impressions.")
    matched_visitors: int = Field(description="Distinct users whose visit matched an impression of that day.")
    visit_rate: Ratio = Field(description="matched_visitors / reach.")
    spend: float | None
    conversions: float | None = Field(description="Attributed under the model.")
    revenue: float | None = Field(description="Attributed under the model.")
    cost_per_visitor: Ratio = Field(description="spend / matched_visitors.")
    cpa: Ratio = Field(description="spend / conversions.")
    roas: Ratio = Field(description="revenue / spend.")


class MatchRate(BaseModel):
    campaign_id: str
    show_id: str
    exposures: int = Field(description="Delivered ads of the campaign on the show over the days asked.")
    eligible: int = Field(description="Of them, to residential, unshared households.")
    matched: int = Field(description="Of them, matched to a visit of the same household in the window.")
    match_rate: Ratio = Field(description="matched / exposures.")
    matched_visitors: int = Field(description="Distinct users matched to the campaign on the show.")
    pixel_visitors: int = Field(description="Distinct users the site pixel saw over the days asked.")
    visitor_match_rate: Ratio = Field(description="matched_visitors / pixel_visitors.")


class HouseholdMetrics(BaseModel):
    model: Model
    rows: list[HouseholdMetricsRow]
    match_rates: list[MatchRate] = Field(
        description="Per campaign and show over the days asked, as every vendor discloses them."
    )


class MetricLift(BaseModel):
    metric: str
    exposed_households: int
    control_households: int
    dropped_exposed: int = Field(
        description="Exposed households whose show and week had no control household."
    )
    exposed_rate: float | None
    control_rate: float | None = Field(
        description="The control households' rate, weighted to the exposed households' shows and weeks."
    )
    lift: float | None = Field(description="(exposed rate - control rate) / control rate.")
    ci_low: float | None
    ci_high: float | None
    resamples: int
    seed: int
    significant: bool = Field(description="The 95 % interval excludes zero.")
    minimum_detectable_lift: float | None = Field(
        description="The lift these group sizes detect 80 % of the time at the 5 % level."
    )
    statement: str


class CampaignLift(BaseModel):
    campaign_id: str
    as_of: date
    computed_at: datetime
    visits: MetricLift | None
    conversions: MetricLift | None


@router.get("/households/metrics", response_model=HouseholdMetrics)
async def household_metrics(
    session: ReadAttribution,
    model: ModelQuery = None,
    start: StartQuery = None,
    end: EndQuery = None,
    campaign_id: text(max_length=200) | None = None,
) -> HouseholdMetrics:
    """Impressions, reach, frequency, match rate, matched visitors, visit rate, cost per visitor,
    conversions, CPA and ROAS per day, campaign and show (at most 10,000 rows; narrow with the dates)."""
    ready = await session.one(query("household_metrics_ready"))
    if not ready["ready"]:
        return HouseholdMetrics(model=model or ready["reporting_model"], rows=[], match_rates=[])
    params = {"model": model, "start": start, "end": end, "campaign_id": campaign_id}
    rows, rates = await session.results((query("household_metrics"), query("household_match_rates")), params)
    if campaign_id is not None:
        rates = [r for r in rates if r["campaign_id"] == campaign_id]
    return HouseholdMetrics(model=model or ready["reporting_model"], rows=rows, match_rates=rates)


@router.get(
    "/lift/campaigns/{campaign_id}", response_model=CampaignLift, responses={404: ERROR_RESPONSES[404]}
)
async def campaign_lift(session: ReadAttribution, campaign_id: text(max_length=200)) -> CampaignLift:
    """The campaign's newest lift in visits and conversions, with its bootstrap 95 % interval."""
    rows = await session.rows(query("lift_latest"), {"campaign_id": campaign_id})
    if not rows:
        raise not_found(
            f"No lift for campaign {campaign_id!r} yet: it needs delivered ads Earmark counted and "
            "a nightly run (or `earmark lift`)."
        )
    by_metric = {
        r["metric"]: MetricLift(**{k: v for k, v in r["result"].items() if k in MetricLift.model_fields})
        for r in rows
    }
    return CampaignLift(
        campaign_id=campaign_id,
        as_of=rows[0]["as_of"],
        computed_at=rows[0]["computed_at"],
        visits=by_metric.get("visits"),
        conversions=by_metric.get("conversions"),
    )
