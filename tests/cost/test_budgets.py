"""Budgets and alerts (once per threshold and month), and what a tenant's key sees of costs: its own only."""

from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

import dagster as dg

from earmark import db
from earmark.ai.providers import order
from earmark.ai.providers.router import Analyzer
from earmark.cost import budgets, ledger, price_book
from earmark.cost.ledger import UsageEvent
from pipelines.defs.attribution import dbt_resource
from pipelines.defs.cost import budget_alerts, cost_dbt_assets

D = Decimal


def _spend(tenant, amount: str) -> None:
    """An LLM call's cost today, as the collection would record it."""
    event = UsageEvent(tenant.id, "test", uuid4().hex, "llm_output_tokens", datetime.now(UTC).date(), D(1000),
                       "openai/gpt-5.4", service_provider="OpenAI", billed_cost=D(amount))
    with db.connect("owner") as conn:
        price_book.ensure_default(conn)  # as the collection does before it records anything
        with conn.transaction():
            ledger.record(conn, [event])


def _allocate(instance) -> dict:
    result = dg.materialize([cost_dbt_assets, budget_alerts], instance=instance,
                            resources={"dbt": dbt_resource()})
    (check,) = [e for e in result.get_asset_check_evaluations() if e.check_name == "budget_alerts"]
    return {k: v.value for k, v in check.metadata.items()}


def _alerts(tenant) -> list[str]:
    with db.connect("owner") as conn:
        return [r[0] for r in conn.execute(
            "select threshold from cost.budget_alerts where tenant_id = %s order by actual, threshold",
            [tenant.id])]


def test_alerts_fire_once_per_threshold_and_a_key_sees_only_its_own_costs(make_tenant, make_key, client,
                                                                         dagster_instance):
    tenant, other, free = make_tenant("standard"), make_tenant("standard"), make_tenant("free")
    writer = make_key(tenant, ["settings:write"])
    refused = client.put("/api/v1/cost/budget", headers=writer.headers, json={"monthly_amount": 0})
    assert refused.status_code == 422
    put = client.put("/api/v1/cost/budget", headers=writer.headers,
                     json={"monthly_amount": 10, "thresholds": [0.5, 0.8, 1.0]})
    assert put.status_code == 200, put.text
    assert put.json()["budget"] == {"monthly_amount": "10.00", "currency": "USD",
                                    "thresholds": ["0.5", "0.8", "1.0"], "alert_on_forecast": True,
                                    "source": "tenant", "used": "0.0000"}

    _spend(tenant, "6.00")
    _spend(other, "3.33")
    first = _allocate(dagster_instance)
    assert _alerts(tenant) == ["50%"]
    assert {a["threshold"] for a in first["fired"] if a["tenant_id"] == str(tenant.id)} == {"50%"}
    with db.connect("owner") as conn:  # evaluated again in the same month (what the check runs): nothing new
        again = budgets.evaluate(conn, datetime.now(UTC).date())
    assert _alerts(tenant) == ["50%"]
    assert not [a for a in again if a["tenant_id"] == str(tenant.id)]
    _spend(tenant, "2.50")
    _allocate(dagster_instance)
    assert _alerts(tenant) == ["50%", "80%"]

    reader = make_key(tenant, ["attribution:read"])
    report = client.get("/api/v1/cost", headers=reader.headers)
    assert report.status_code == 200, report.text
    body = report.json()
    assert [a["threshold"] for a in body["alerts"]] == ["50%", "80%"]
    llm = [r for r in body["by_resource"] if r["resource"] == "llm_output_tokens"]
    assert llm == [{"resource": "llm_output_tokens", "x_cost_line": "direct", "ServiceProviderName": "OpenAI",
                    "ConsumedQuantity": "2000", "ConsumedUnit": "tokens", "BilledCost": "8.50",
                    "x_is_estimate": False}]
    with db.connect("owner") as conn:
        own = conn.execute("select sum(billed_cost) from analytics.fct_daily_costs where tenant_id = %s "
                           "and usage_date >= date_trunc('month', now() at time zone 'UTC')",
                           [tenant.id]).fetchone()[0]
    assert D(body["BilledCost"]) == own.quantize(D("0.01"))
    assert D("8.50") <= own < D("10.00")  # the LLM cost plus its small share of today's shared costs
    assert sum(D(d["BilledCost"]) for d in body["by_day"]) == D(body["BilledCost"])
    # the other tenant's 3.33 and the platform's lines (no tenant) are not in it
    other_body = client.get("/api/v1/cost", headers=make_key(other, ["attribution:read"]).headers).json()
    assert [r["BilledCost"] for r in other_body["by_resource"]
            if r["resource"] == "llm_output_tokens"] == ["3.33"]
    with db.connect("api") as conn, db.tenant_transaction(conn, tenant.id):
        seen = {r[0] for r in conn.execute("select distinct tenant_id from analytics.fct_daily_costs")}
    assert seen == {tenant.id}

    # Past 100 %: alerted, never cut off; a free tier (over_budget = "local_ai") analyses locally.
    _spend(tenant, "2.00")
    _spend(free, "6.00")  # the free tier's default budget is 5.00
    _allocate(dagster_instance)
    assert _alerts(tenant) == ["50%", "80%", "100%", "forecast"]
    assert sorted(_alerts(free)) == ["100%", "50%", "80%", "forecast"]  # all at once, from the tier's 5.00
    with db.connect("owner") as conn, db.tenant_transaction(conn, free.id):
        order.set_for_tenant(conn, free.id, ("openai", "local"))  # as `earmark ai providers set` does
    with db.connect("transformer") as conn:
        assert budgets.llm_throttled(conn, tenant.id) is False
        assert budgets.llm_throttled(conn, free.id) is True
        assert Analyzer(conn, free.id).order == order.Order(("local",), "budget")
        assert client.get("/api/v1/cost", headers=reader.headers).status_code == 200  # still served


def test_the_forecast_extends_the_daily_history_with_an_interval():
    from datetime import date

    from earmark.cost.forecast import forecast

    daily = {date(2026, 11, d): D(v) for d, v in ((27, "1.00"), (28, "3.00"), (29, "1.00"), (30, "3.00"))}
    daily[date(2026, 12, 1)] = D("2.00")
    daily[date(2026, 12, 2)] = D("0.50")  # today, not complete
    outlook = forecast(daily, date(2026, 12, 2))
    # spent before today 2.00; r = 30 days left at the mean 2.00 of the n = 5 last complete days (the 1st and
    # Nov 27-30): 2.00 + 60.00; sd 1.0 -> 1.96 x 1.0 x sqrt(30 + 900 / 5) = 28.403...
    assert outlook.month_to_date == D("2.50")
    assert outlook.point == D("62.00")
    assert (outlook.low, outlook.high) == (D("33.60"), D("90.40"))
    assert outlook.history_days == 5
    assert forecast({}, date(2026, 12, 2)).point == D("0.00")


def test_budget_and_month_inputs_outside_the_rules_are_422s_never_500s(make_tenant, make_key, client):
    tenant = make_tenant()
    writer = make_key(tenant, ["settings:write"])
    for body, says in (({"monthly_amount": 0.001}, "monthly_amount must be at least 0.01 USD"),
                       ({"monthly_amount": 10, "thresholds": [0.12345]}, "at most 4 decimals"),
                       ({"monthly_amount": 10, "thresholds": [1e-7]}, "greater than or equal to 0.01"),
                       ({"monthly_amount": 1e300}, "less than or equal to 1000000000"),
                       ({"monthly_amount": 10, "thresholds": []}, "at least 1 item")):
        answer = client.put("/api/v1/cost/budget", headers=writer.headers, json=body)
        assert answer.status_code == 422 and says in answer.text, (body, answer.text)
    reader = make_key(tenant, ["attribution:read"])
    for month, says in (("2999-12", "has not begun"), ("1999-12", "between 2000 and 2999"),
                        ("2026-13", "should match pattern")):
        answer = client.get("/api/v1/cost", headers=reader.headers, params={"month": month})
        assert answer.status_code == 422 and says in answer.text, (month, answer.text)
    # a month that is over: its cost, nothing forecast, and money as plain digits (never 1E-7)
    past = client.get("/api/v1/cost", headers=reader.headers, params={"month": "2025-03"})
    assert past.status_code == 200
    body = past.json()
    assert body["as_of"] == "2025-03-31" and body["forecast"]["forecast"] == body["BilledCost"] == "0.00"
    tiny = client.put("/api/v1/cost/budget", headers=writer.headers,
                      json={"monthly_amount": 0.01, "thresholds": [0.0001 * 100, 0.75]})
    assert tiny.status_code == 200 and tiny.json()["budget"]["thresholds"] == ["0.01", "0.75"]
