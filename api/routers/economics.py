"""What each campaign and show cost and earned: spend, CPA, ROAS and CPM under one attribution model.

The rows are those of `earmark economics export` (the same statements, earmark/catalog/sql/); figures stay
in each campaign's currency and every row names its currency.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import ReadAttribution, ServicesDep
from api.problems import ERROR_RESPONSES
from api.routers.attribution import ComputedAt, EndQuery, Model, ModelQuery, StartQuery, read_mart
from earmark.catalog.economics import statement

router = APIRouter(prefix="/economics", tags=["economics"],
                   responses={k: ERROR_RESPONSES[k] for k in (401, 403, 422, 429, 503)})

Ratio = float | None


class Figures(BaseModel):
    currency: str
    spend: float
    impressions: int
    conversions: float = Field(description="Attributed under the model.")
    revenue: float = Field(description="Attributed under the model.")
    cpa: Ratio = Field(description="spend / conversions; null when there are no conversions.")
    roas: Ratio = Field(description="revenue / spend; null when there is no spend.")
    cpm: Ratio = Field(description="spend per thousand impressions; null without impressions.")
    conversions_per_mille: Ratio = Field(description="conversions per thousand impressions; null without "
                                                     "impressions.")


class CampaignEconomics(Figures):
    campaign_id: str = Field(description="'(unknown)' for campaign ids the catalog does not know, '(none)' "
                                         "for conversions credited to no campaign.")
    campaign_name: str | None
    advertiser_id: str | None


class ShowEconomics(Figures):
    show_id: str = Field(description="'(unknown)' for shows the catalog does not know, '(none)' for touches "
                                     "without a show.")
    title: str | None


class CampaignEconomicsReport(BaseModel):
    model: Model
    start: date | None
    end: date | None
    computed_at: ComputedAt
    rows: list[CampaignEconomics]


class ShowEconomicsReport(BaseModel):
    model: Model
    start: date | None
    end: date | None
    computed_at: ComputedAt
    rows: list[ShowEconomics]


@router.get("/campaigns", response_model=CampaignEconomicsReport)
async def campaigns(session: ReadAttribution, services: ServicesDep, model: ModelQuery = None,
                    start: StartQuery = None, end: EndQuery = None) -> CampaignEconomicsReport:
    """Spend, impressions, attributed conversions and revenue, CPA, ROAS and CPM per campaign and currency
    over the days asked (all by default), under one model (the tenant's reporting_model by default)."""
    rows, computed_at, model = await read_mart(session, services, statement("campaign"),
                                               {"model": model, "start": start, "end": end})
    return CampaignEconomicsReport(model=model, start=start, end=end, computed_at=computed_at, rows=rows)


@router.get("/shows", response_model=ShowEconomicsReport)
async def shows(session: ReadAttribution, services: ServicesDep, model: ModelQuery = None,
                start: StartQuery = None, end: EndQuery = None) -> ShowEconomicsReport:
    """The same figures per show and currency."""
    rows, computed_at, model = await read_mart(session, services, statement("show"),
                                               {"model": model, "start": start, "end": end})
    return ShowEconomicsReport(model=model, start=start, end=end, computed_at=computed_at, rows=rows)
