"""A tenant's own costs (month to date by resource and day, top drivers, forecast) and its budget.

Money is exact: decimal strings in USD (FOCUS: BilledCost, BillingCurrency, ChargePeriodStart/End,
ServiceProviderName, ConsumedQuantity/Unit). RLS shows the key's tenant only its own lines; the platform's
lines (unattributed usage, unallocated idle cost) have no tenant and never reach a tenant.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from api.database import query
from api.deps import ReadTenant, WriteSettings
from api.problems import ERROR_RESPONSES, Problem
from api.types import json_float
from earmark.cost import budgets, reports
from earmark.sqlfiles import load

router = APIRouter(prefix="/cost", tags=["cost"],
                   responses={k: ERROR_RESPONSES[k] for k in (401, 403, 422, 429)})

Money = Annotated[str, Field(pattern=r"^-?\d+(\.\d+)?$", description="USD, exact, as a decimal string.")]
MonthQuery = Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
                                         description="YYYY-MM (UTC); this month when left out.",
                                         examples=["2026-12"])]


class Forecast(BaseModel):
    month_to_date: Money
    forecast: Money
    low: Money
    high: Money
    history_days: int
    method: str


class BudgetState(BaseModel):
    monthly_amount: Money
    currency: str
    thresholds: list[Money]
    alert_on_forecast: bool
    source: str = Field(description="tenant (set with PUT /cost/budget) or tier (the tier's default).")
    used: Money = Field(description="month to date / budget")


class Alert(BaseModel):
    threshold: str = Field(description="'50%', '80%', '100%' (of the budget) or 'forecast'.")
    budget: Money
    actual: Money
    forecast: Money
    fired_at: datetime


class ResourceCost(BaseModel):
    resource: str
    x_cost_line: str = Field(description="direct (usage x unit price), shared (a fixed cost's share) or "
                                         "idle.")
    ServiceProviderName: str
    ConsumedQuantity: str | None
    ConsumedUnit: str | None
    BilledCost: Money
    x_is_estimate: bool


class DayCost(BaseModel):
    ChargePeriodStart: datetime
    ChargePeriodEnd: datetime
    BilledCost: Money


class Driver(BaseModel):
    kind: str = Field(description="asset, llm_model, llm_task, table or api_requests.")
    driver: str
    BilledCost: Money


class CostReport(BaseModel):
    month: str
    as_of: str
    BillingCurrency: str
    BilledCost: Money = Field(description="Month to date.")
    forecast: Forecast
    budget: BudgetState
    alerts: list[Alert]
    by_resource: list[ResourceCost]
    by_day: list[DayCost]
    top_drivers: list[Driver]


class BudgetUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"monthly_amount": 250, "thresholds": [0.5, 0.8, 1.0], "alert_on_forecast": True}]})

    monthly_amount: json_float(gt=0, le=1_000_000_000) = Field(description="USD per month.")
    thresholds: list[json_float(ge=0.01, le=10)] = Field(
        default_factory=lambda: [float(t) for t in budgets.DEFAULT_THRESHOLDS], min_length=1, max_length=10,
        description="Fractions of the budget that raise an alert (0.01 to 10, at most 4 decimals); 100 % "
                    "always alerts.")
    alert_on_forecast: bool = Field(True, strict=True)


async def _report(session, month_text: str | None) -> CostReport:
    try:
        month = reports.parse_month(month_text)
    except reports.ReportError as exc:
        raise Problem(422, "validation-error", str(exc)) from None
    params = reports.tenant_params(session.tenant_id, month)
    async with session.transaction():
        ready = (await session.one(query("cost_marts_exist")))["ready"]
        if ready:
            found = await session.results(reports.tenant_statements(), params)
        else:  # a new install before its first cost run: nothing allocated yet
            found = [[], [], [], [], *await session.results(
                (load("earmark.cost", "budget_get_row"), load("earmark.cost", "budget_alerts_of")), params)]
    return CostReport(**reports.assemble(found, session.principal.tier, month, datetime.now(UTC).date()))


@router.get("", response_model=CostReport)
async def cost(session: ReadTenant, month: MonthQuery = None) -> CostReport:
    """The tenant's usage and allocated cost for a month (this one by default): by resource and by day, its
    top cost drivers, the forecast to month end with a 95 % interval, its budget and the alerts fired."""
    return await _report(session, month)


@router.put("/budget", response_model=CostReport, responses={400: ERROR_RESPONSES[400]})
async def put_budget(session: WriteSettings, body: BudgetUpdate) -> CostReport:
    """Set the tenant's monthly budget and alert thresholds (scope settings:write); alerts fire at the next
    cost run. Passing 100 % never cuts the tenant off."""
    amount = Decimal(str(body.monthly_amount)).quantize(Decimal("0.01"))
    if amount <= 0:
        raise Problem(422, "validation-error", "monthly_amount must be at least 0.01 USD.")
    thresholds = sorted({Decimal(str(t)) for t in body.thresholds})
    if any(t != t.quantize(Decimal("0.0001")) for t in thresholds):
        raise Problem(422, "validation-error", "thresholds take at most 4 decimals, such as 0.75 for 75 %.")
    params = {"tenant_id": session.tenant_id, "amount": amount, "thresholds": thresholds,
              "forecast": body.alert_on_forecast}
    async with session.transaction():
        await session.rows(load("earmark.cost", "budget_put"), params)
    return await _report(session, None)
