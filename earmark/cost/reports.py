"""Cost reports: the operator's table of every tenant (cost beside its tier's revenue, so margin shows) and
a tenant's own month (by resource, by day, its top drivers, the forecast, its budget and alerts).

They read what dbt allocated (analytics.fct_daily_costs, fct_cost_drivers). Money is Decimal, rounded to the
cent only here, for display; FOCUS 1.3 names the columns where one fits (BilledCost, ChargePeriodStart, ...).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import psycopg
from psycopg.rows import dict_row

from earmark.cost import budgets
from earmark.cost.forecast import HISTORY, money, month_end, month_outlook
from earmark.errors import EarmarkError
from earmark.sqlfiles import load
from earmark.tenancy import tier_billing

CENT = Decimal("0.01")
FIRST_YEAR, LAST_YEAR = 2000, 2999
TOP_DRIVERS = 5
OPERATOR_COLUMNS = ["x_tenant_id", "tenant", "tier", "direct", "shared", "idle", "BilledCost", "forecast",
                    "forecast_low", "forecast_high", "revenue", "margin", "top_driver"]


class ReportError(EarmarkError, ValueError):
    """A report request that cannot be answered; the message says what to change."""


def parse_month(text: str | None, today: date | None = None) -> date:
    """A YYYY-MM month that has begun (this one when None)."""
    today = today or datetime.now(UTC).date()
    if text is None:
        return today.replace(day=1)
    try:
        month = datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        month = None
    if month is None or not FIRST_YEAR <= month.year <= LAST_YEAR:
        raise ReportError(f"A month is YYYY-MM between {FIRST_YEAR} and {LAST_YEAR}, such as {today:%Y-%m}, "
                          f"not {text!r}.")
    if month > today:
        raise ReportError(f"{text} has not begun (today is {today}, UTC): ask for {today:%Y-%m} or earlier.")
    return month


def _q(name: str) -> str:
    return load("earmark.cost", name)


def _as_of(month: date, today: date) -> date:
    """The day a month's report is as of: today for the current month, its last day for a past one."""
    return min(today, month_end(month))


def _cents(value: Decimal | None) -> Decimal:
    return (value or Decimal(0)).quantize(CENT)


def operator_rows(conn: psycopg.Connection, month: date, tenant_id: UUID | None = None,
                  today: date | None = None) -> list[dict]:
    """One row per tenant (or one tenant), then the platform's own lines (unattributed, unallocated idle)."""
    today = today or datetime.now(UTC).date()
    params = {"first": month, "last": month_end(month), "tenant_id": tenant_id,
              "since": month - timedelta(days=HISTORY)}
    with conn.cursor(row_factory=dict_row) as cur:
        totals = cur.execute(_q("report_operator_totals"), params).fetchall()
        daily = cur.execute(_q("report_operator_daily"), params).fetchall()
        drivers = {row["line_key"]: row for row in cur.execute(_q("report_operator_top_driver"), params)}
    per_day: dict[object, dict[date, Decimal]] = {}
    for row in daily:
        per_day.setdefault(row["line_key"], {})[row["usage_date"]] = row["cost"]
    rows = []
    for row in totals:
        key = row["tenant_id"]
        outlook = month_outlook(per_day.get(row["line_key"], {}), month, today)
        revenue = tier_billing()[row["tier"]].price_per_month if row["tier"] else Decimal(0)
        driver = drivers.get(row["line_key"])
        rows.append({
            "x_tenant_id": str(key) if key else "", "tenant": row["name"], "tier": row["tier"] or "",
            "direct": _cents(row["direct"]), "shared": _cents(row["shared"]), "idle": _cents(row["idle"]),
            "BilledCost": _cents(row["total"]), "forecast": outlook.point, "forecast_low": outlook.low,
            "forecast_high": outlook.high, "revenue": revenue if key else Decimal(0),
            "margin": (revenue - outlook.point) if key else -outlook.point,
            "top_driver": (f"{driver['driver_kind']} {driver['driver']} ({_cents(driver['cost'])})"
                           if driver else ""),
        })
    return rows


TENANT_STATEMENTS = ("report_tenant_by_resource", "report_tenant_by_day", "report_tenant_drivers",
                     "cost_daily_totals_rows", "budget_get_row", "budget_alerts_of")


def tenant_statements() -> tuple[str, ...]:
    """The statements of a tenant's report, read in one transaction (the API's session runs them)."""
    return tuple(_q(name) for name in TENANT_STATEMENTS)


def tenant_params(tenant_id: UUID, month: date) -> dict:
    return {"tenant_id": tenant_id, "first": month, "last": month_end(month), "month": month,
            "since": month - timedelta(days=HISTORY), "top": TOP_DRIVERS}


def tenant_report(conn: psycopg.Connection, tenant_id: UUID, tier: str, month: date,
                  today: date | None = None) -> dict:
    """A tenant's own month; run in the tenant's transaction (RLS shows only its rows)."""
    found = []
    with conn.cursor(row_factory=dict_row) as cur:
        for statement in tenant_statements():
            found.append(cur.execute(statement, tenant_params(tenant_id, month)).fetchall())
    return assemble(found, tier, month, today)


def assemble(found: list[list[dict]], tier: str, month: date, today: date | None = None) -> dict:
    """The report from the rows of tenant_statements(), in their order."""
    by_resource, by_day, drivers, history_rows, budget_rows, alert_rows = found
    today = today or datetime.now(UTC).date()
    as_of = _as_of(month, today)
    outlook = month_outlook({r["usage_date"]: r["cost"] for r in history_rows}, month, today)
    budget = budgets.budget_from_row(budget_rows[0] if budget_rows else None, tier)
    return {
        "month": month.strftime("%Y-%m"), "as_of": as_of.isoformat(), "BillingCurrency": "USD",
        "BilledCost": money(outlook.month_to_date),
        "forecast": outlook.as_json(),
        "budget": {**budget.as_json(), "used": money((outlook.month_to_date / budget.monthly_amount).quantize(
            Decimal("0.0001")))},
        "alerts": [{"threshold": a["threshold"], "budget": money(a["budget"]), "actual": money(a["actual"]),
                    "forecast": money(a["forecast"]), "fired_at": a["fired_at"].isoformat()}
                   for a in alert_rows],
        "by_resource": [{"resource": r["resource"], "x_cost_line": r["x_cost_line"],
                         "ServiceProviderName": r["service_provider_name"],
                         "ConsumedQuantity": money(r["quantity"]) if r["quantity"] is not None else None,
                         "ConsumedUnit": r["unit"], "BilledCost": money(_cents(r["cost"])),
                         "x_is_estimate": r["is_estimate"]} for r in by_resource],
        "by_day": [{"ChargePeriodStart": r["charge_period_start"].isoformat(),
                    "ChargePeriodEnd": r["charge_period_end"].isoformat(),
                    "BilledCost": money(_cents(r["cost"]))} for r in by_day],
        "top_drivers": [{"kind": r["driver_kind"], "driver": r["driver"], "BilledCost": money(r["cost"])}
                        for r in drivers],
    }
