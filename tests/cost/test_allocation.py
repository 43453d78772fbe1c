"""The cost marts on a hand-worked March (allocation_case.py), built by dbt through Dagster.

Book a (March 1st-15th): database 310.00/month = 1000 cents a day, shared by db_seconds with a capacity of
1000 a day; orchestrator 100.00/month = 10000 cents over 31 days, 322 a day and a cent more on the 1st to
18th, by compute_seconds (no capacity); api_hosts 31.00 = 100 cents a day, even; support 62.00 = 200 cents
a day, weighted by each recipient's direct cost that day. Book b (from the 16th): database 620.00 = 2000
cents a day, db_second 0.04 instead of 0.02.
"""

from datetime import date
from decimal import Decimal

import dagster as dg
import pytest
from allocation_case import March, set_up_march

from earmark import db
from earmark.attribution import dbt_env
from pipelines.defs.attribution import dbt_resource
from pipelines.defs.cost import budget_alerts, cost_dbt_assets

D = Decimal


def build(instance) -> dg.ExecuteInProcessResult:
    result = dg.materialize([cost_dbt_assets, budget_alerts], instance=instance,
                            resources={"dbt": dbt_resource()}, raise_on_error=False)
    assert result.success
    return result


@pytest.fixture(scope="module")
def march(database, dagster_instance) -> March:
    case = set_up_march()
    result = build(dagster_instance)
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks["cost_allocation_adds_up_fct_daily_costs_"] is True
    return case


def lines(march: March, day: int) -> dict[tuple, Decimal]:
    names = {t.id: f"t{n}" for n, t in enumerate(march.tenants, 1)}
    with db.connect("owner") as conn:
        rows = conn.execute(
            "select tenant_id, x_recipient, x_cost_line, resource_id, billed_cost "
            "from analytics.fct_daily_costs "
            "where usage_date = %s and (tenant_id = any(%s) or tenant_id is null)",
            [date(2025, 3, day), list(names)]).fetchall()
    return {(names.get(t, recipient), line, resource): cost for t, recipient, line, resource, cost in rows}


def test_a_day_one_tenant_used_the_database_and_the_orchestrator(march):
    assert lines(march, 3) == {
        ("t1", "direct", "db_seconds"): D("2.00"), ("t1", "direct", "compute_seconds"): D("0.50"),
        # 3.1 GB held for a day at 0.10 per GB-month: 1/31 of 0.31
        ("t3", "direct", "storage_bytes"): D("0.01"),
        ("t2", "direct", "openai/gpt-5.4"): D("0.123456"),  # priced at its source, not rounded
        # 100 of the day's 1000 db_seconds of capacity: 10 % used by t1, 90 % idle, shown apart and also t1's
        ("t1", "shared", "database"): D("1.00"), ("t1", "idle", "database"): D("9.00"),
        ("t1", "shared", "orchestrator"): D("3.23"),  # the 3rd gets 322 + 1 cents
        **{(t, "shared", "api_hosts"): D("0.25") for t in ("t1", "t2", "t3", "t4")},
        # 200 cents by direct cost 2.50 : 0.123456 : 0.01 -> 189.87, 9.38, 0.76 cents: floors 198, the two
        # cents left to the largest remainders, t1's .87 and t3's .76
        ("t1", "shared", "support"): D("1.90"), ("t2", "shared", "support"): D("0.09"),
        ("t3", "shared", "support"): D("0.01"),
    }


def test_a_tenant_with_no_usage_pays_only_its_even_share(march):
    day = lines(march, 3)
    assert {k: v for k, v in day.items() if k[0] == "t4"} == {("t4", "shared", "api_hosts"): D("0.25")}


def test_thirds_are_rounded_by_largest_remainder_and_add_up_to_the_cent(march):
    day = lines(march, 4)
    database = {k: v for k, v in day.items() if k[2] == "database"}
    # 1000 cents: 1 used cent each (1 of 1000 capacity each), 332.33 idle each; the cent left over goes to
    # the idle line of the smallest tenant id among the three
    first = min((march.t1, march.t2, march.t3), key=lambda t: t.id)
    name = f"t{march.tenants.index(first) + 1}"
    assert database == {**{(t, "shared", "database"): D("0.01") for t in ("t1", "t2", "t3")},
                        **{(t, "idle", "database"): D("3.33") if t == name else D("3.32")
                           for t in ("t1", "t2", "t3")}}
    assert sum(database.values()) == D("10.00")
    # nobody used the orchestrator that day: all of it idle, on no tenant
    assert day[("unallocated", "idle", "orchestrator")] == D("3.23")


def test_a_price_change_mid_month_applies_from_its_day_and_unattributed_usage_is_its_own_line(march):
    day = lines(march, 20)
    assert {k: v for k, v in day.items() if k[2] in ("db_seconds", "unattributed", "database")} == {
        ("t2", "direct", "db_seconds"): D("20.00"),  # 500 x 0.04 (book b)
        ("unattributed", "direct", "db_seconds"): D("20.00"),
        # 2000 cents, the capacity used up exactly: no idle line
        ("t2", "shared", "database"): D("10.00"), ("unattributed", "shared", "database"): D("10.00"),
    }
    assert day[("unallocated", "idle", "orchestrator")] == D("3.22")  # the 19th on get 322 cents
    assert lines(march, 4)[("t1", "direct", "db_seconds")] == D("0.02")  # the 4th: book a's 0.02


def test_every_shared_cost_adds_up_to_its_monthly_amount_over_the_month(march):
    with db.connect("owner") as conn:
        totals = dict(conn.execute(
            "select resource_id, sum(billed_cost) from analytics.fct_daily_costs "
            "where usage_date between '2025-03-01' and '2025-03-31' and x_cost_line in ('shared', 'idle') "
            "group by 1").fetchall())
    # database: 15 days of book a (10.00) and 16 of book b (20.00)
    assert totals == {"database": D("470.00"), "orchestrator": D("100.00"), "api_hosts": D("31.00"),
                      "support": D("62.00")}


def test_the_dbt_test_fails_when_an_allocation_is_a_cent_off(march, dagster_instance):
    with db.connect("transformer") as conn:
        conn.execute("update analytics.fct_daily_costs set billed_cost = billed_cost + 0.01 "
                     "where usage_date = '2025-03-04' and tenant_id = %s and resource_id = 'api_hosts'",
                     [march.t4.id])
    done = dbt_env.run_dbt("test", "--select", "fct_daily_costs")
    assert done.returncode != 0 and "cost_allocation_adds_up" in done.stdout
    build(dagster_instance)  # rebuilt whole: the mart is right again
    assert lines(march, 4)[("t4", "shared", "api_hosts")] == D("0.25")


def test_the_operator_report_puts_cost_beside_revenue(march):
    import json

    from typer.testing import CliRunner

    from earmark.cli import app

    done = CliRunner().invoke(app, ["cost", "report", "--tenant", str(march.t1.id), "--month", "2025-03",
                                    "--format", "json"])
    assert done.exit_code == 0, done.output
    (row,) = json.loads(done.output)
    with db.connect("owner") as conn:
        direct, shared, idle = conn.execute(
            "select sum(billed_cost) filter (where x_cost_line = 'direct'), "
            "sum(billed_cost) filter (where x_cost_line = 'shared'), "
            "sum(billed_cost) filter (where x_cost_line = 'idle') from analytics.fct_daily_costs "
            "where tenant_id = %s and usage_date between '2025-03-01' and '2025-03-31'",
            [march.t1.id]).fetchone()
    # direct: 2.00 + 0.50 on the 3rd, 0.02 on the 4th; idle: 9.00 on the 3rd and 3.32 or 3.33 on the 4th
    assert D(row["direct"]) == direct == D("2.52")
    assert D(row["idle"]) == idle and D(row["shared"]) == shared
    assert D(row["BilledCost"]) == direct + shared + idle
    # a month that is over forecasts nothing: its forecast is what it cost; revenue is the standard tier's
    assert D(row["forecast"]) == D(row["forecast_low"]) == D(row["forecast_high"]) == D(row["BilledCost"])
    assert (D(row["revenue"]), D(row["margin"])) == (D("499.00"), D("499.00") - D(row["BilledCost"]))
    # its largest direct driver: the db_seconds (2.00 on the 3rd, 0.02 on the 4th); the ledger rows of this
    # case come from source "test", which names the driver's kind
    assert row["top_driver"] == "test db_seconds (2.02)"
    refused = CliRunner().invoke(app, ["cost", "report", "--month", "2025-13"])
    assert refused.exit_code != 0 and "A month is YYYY-MM between 2000 and 2999" in str(refused.exception)
