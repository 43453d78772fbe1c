"""Monthly cost budgets per tenant and the alerts they raise.

A tenant's budget is its own (PUT /api/v1/cost/budget) or else its tier's default (tiers.toml). After each
allocation the `budget_alerts` asset check evaluates every tenant: an alert row is written when the month's
cost reaches a threshold (default 50 %, 80 %, 100 % of the budget) or its month-end forecast passes the
budget; the primary key (tenant, month, threshold) makes each fire once a month, however often it is
evaluated. Passing 100 % never cuts a tenant off; a tier with over_budget = "local_ai" runs its LLM analysis
on the local analyzer for the rest of the month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import psycopg
from psycopg.rows import dict_row

from earmark.cost.forecast import HISTORY, money, month_outlook
from earmark.errors import EarmarkError
from earmark.sqlfiles import load
from earmark.tenancy import tier_billing

DEFAULT_THRESHOLDS = (Decimal("0.5"), Decimal("0.8"), Decimal("1.0"))


class BudgetError(EarmarkError, ValueError):
    """A budget that cannot be set; the message says what to change."""


@dataclass(frozen=True)
class Budget:
    monthly_amount: Decimal
    thresholds: tuple[Decimal, ...]
    alert_on_forecast: bool
    source: str  # "tenant" or "tier"

    def as_json(self) -> dict:
        return {"monthly_amount": money(self.monthly_amount), "currency": "USD",
                "thresholds": [money(t) for t in self.thresholds],
                "alert_on_forecast": self.alert_on_forecast,
                "source": self.source}


def _q(name: str) -> str:
    return load("earmark.cost", name)


def label(threshold: Decimal) -> str:
    return f"{(threshold * 100).normalize():f}%"


def budget_of(conn: psycopg.Connection, tenant_id: UUID, tier: str) -> Budget:
    with conn.cursor(row_factory=dict_row) as cur:
        return budget_from_row(cur.execute(_q("budget_get_row"), {"tenant_id": tenant_id}).fetchone(), tier)


def budget_from_row(row: dict | None, tier: str) -> Budget:
    """The tenant's own budget (a budget_get_row row), else its tier's default."""
    if row is None:
        return Budget(tier_billing()[tier].cost_budget_per_month, DEFAULT_THRESHOLDS, True, "tier")
    return Budget(row["monthly_amount"], tuple(row["thresholds"]), row["alert_on_forecast"], "tenant")


def set_budget(conn: psycopg.Connection, tenant_id: UUID, amount: Decimal,
               thresholds: tuple[Decimal, ...] = DEFAULT_THRESHOLDS, alert_on_forecast: bool = True) -> None:
    """Run in the tenant's transaction."""
    if not amount.is_finite() or amount <= 0:
        raise BudgetError("A monthly budget must be a positive amount of USD, such as 250.00.")
    if not thresholds or any(not t.is_finite() or t <= 0 or t > 10 for t in thresholds):
        raise BudgetError("Thresholds are fractions of the budget between 0 and 10, such as [0.5, 0.8, 1.0].")
    conn.execute(_q("budget_put"), {"tenant_id": tenant_id, "amount": amount,
                                    "thresholds": sorted(set(thresholds)), "forecast": alert_on_forecast})


def daily_totals(conn: psycopg.Connection, tenant_id: UUID, since: date) -> dict[date, Decimal]:
    rows = conn.execute(_q("cost_daily_totals_rows"), {"tenant_id": tenant_id, "since": since})
    return dict(rows.fetchall())


def evaluate(conn: psycopg.Connection, today: date) -> list[dict]:
    """Fire the alerts every tenant has reached (run as the owner); returns the new ones. This month's, and on
    the 1st also the month that just ended (its last day is allocated only after it)."""
    months = sorted({today.replace(day=1), (today - timedelta(days=1)).replace(day=1)})
    fired = []
    for month in months:
        fired += _evaluate_month(conn, month, today)
    return fired


def _evaluate_month(conn: psycopg.Connection, month: date, today: date) -> list[dict]:
    fired = []
    with conn.cursor(row_factory=dict_row) as cur:
        tenants = cur.execute(_q("tenants_with_tier")).fetchall()
    for tenant in tenants:
        budget = budget_of(conn, tenant["id"], tenant["tier"])
        daily = daily_totals(conn, tenant["id"], month - timedelta(days=HISTORY))
        outlook = month_outlook(daily, month, today)
        # 100 % always alerts (it is what throttling and the check's verdict look for), whatever else is set
        reached = [label(t) for t in sorted({*budget.thresholds, Decimal("1.0")})
                   if outlook.month_to_date >= t * budget.monthly_amount]
        if budget.alert_on_forecast and outlook.point > budget.monthly_amount:
            reached.append("forecast")
        for threshold in reached:
            inserted = conn.execute(_q("budget_alert_insert"), {
                "tenant_id": tenant["id"], "month": month, "threshold": threshold,
                "budget": budget.monthly_amount, "actual": outlook.month_to_date,
                "forecast": outlook.point}).rowcount
            if inserted:
                fired.append({"tenant_id": str(tenant["id"]), "tenant": tenant["name"],
                              "threshold": threshold,
                              "budget": money(budget.monthly_amount), "actual": money(outlook.month_to_date),
                              "forecast": money(outlook.point)})
    return fired


def alerts(conn: psycopg.Connection, tenant_id: UUID, month: date) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(_q("budget_alerts_of"), {"tenant_id": tenant_id, "month": month}).fetchall()


def llm_throttled(conn: psycopg.Connection, tenant_id: UUID, today: date | None = None) -> bool:
    """Whether the tenant's LLM analysis runs locally: its tier says so and it passed 100 % this month."""
    today = today or datetime.now(UTC).date()
    tier = conn.execute(_q("tenant_tier"), {"tenant_id": tenant_id}).fetchone()
    if tier is None or tier_billing()[tier[0]].over_budget != "local_ai":
        return False
    return conn.execute(_q("budget_alert_exists"), {"tenant_id": tenant_id, "month": today.replace(day=1),
                                                   "threshold": "100%"}).fetchone() is not None
