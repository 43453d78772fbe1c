"""The insights pipeline end to end on a real Postgres, real dbt and real Dagster runs: metrics import with
its accounting, the daily-metrics mart, the nightly anomalies (with the check on the newest day), forecasts,
predictions and recommendations, their reruns, the CLI and the API, tenant by tenant."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import pytest
from dagster_fixtures import dagster_instance  # noqa: F401 (a fixture)
from insights_case import LAST_DAY, OUTAGE_DAYS, START, build, make
from typer.testing import CliRunner

from earmark import db
from earmark.ai.insights.imports import MetricsFileError, import_metrics
from earmark.cli import app

pytestmark = pytest.mark.slow
IMPORTED_DAYS = [START + timedelta(days=d) for d in range(0, 150) if d % 9 != 4]  # every 9th day missing


def _write(path: Path, rows: list[list]) -> Path:
    with path.open("w", newline="") as out:
        csv.writer(out).writerows([["show_id", "metric", "date", "value"], *rows])
    return path


def _rows(tenant_id, statement: str, params: dict | None = None) -> list[tuple]:
    with db.connect("owner") as conn:
        return conn.execute(statement, {"tenant_id": tenant_id, **(params or {})}).fetchall()


def _materialize(day: date, tenant_id: str) -> dg.ExecuteInProcessResult:
    from pipelines.defs.ai import campaign_predictions, metric_anomalies, metric_forecasts, recommendations
    from pipelines.resources import EarmarkDatabase
    from pipelines.runner import QUIET

    assets = [metric_anomalies, metric_forecasts, campaign_predictions, recommendations]
    return dg.materialize(assets, partition_key=day.isoformat(), instance=dg.DagsterInstance.get(),
                          resources={"database": EarmarkDatabase()}, raise_on_error=False,
                          run_config={"ops": {a.op.name: {"config": {"tenant_id": tenant_id}}
                                              for a in assets}, **QUIET})


@pytest.fixture(scope="module")
def tenant(database, dagster_instance, tmp_path_factory):  # noqa: F811
    from earmark import tenancy

    with db.connect("owner") as conn:
        made = tenancy.create_tenant(conn, "insights-case", "enterprise")
    make(made.id)
    folder = tmp_path_factory.mktemp("metrics")
    result = import_metrics(made.id, _write(folder / "listens.csv",
                                            [["s3", "listens", d.isoformat(), 500 + 300 * (d.weekday() == 1)]
                                             for d in IMPORTED_DAYS]))
    assert (result.loaded, result.rejected) == (len(IMPORTED_DAYS), 0)
    build()
    done = _materialize(LAST_DAY, str(made.id))
    assert done.success
    return made


def test_metrics_import_accounts_for_every_row(tenant, tmp_path):
    path = _write(tmp_path / "m.csv", [
        ["s3", "listens", "2026-06-01", "777"],       # changes a stored value
        ["s3", "listens", "2026-06-01", "777"],       # repeated as is: a duplicate
        ["s3", "listens", "2026-06-02", "500"],       # equal to what is stored (a Tuesday is 800): replaced
        ["s3", "listens", "2026-06-03", "500"],       # stored already: a duplicate
        ["s3", "listens", "2026-06-03", "501"],       # the same key again with another value
        ["ghost", "listens", "2026-06-01", "1"],
        ["s3", "Listens!", "2026-06-01", "1"],
        ["s3", "listens", "01/06/2026", "1"],
        ["s3", "listens", "2026-06-05", "lots"],
        ["s3", "listens", "2026-06-06", "inf"],
        ["s3", "", "2026-06-07", "1"],
    ])
    result = import_metrics(tenant.id, path)
    counts = (result.rows, result.loaded, result.replaced, result.duplicates, result.rejected)
    assert counts == (11, 2, 2, 2, 7)
    reasons = {r["row"]: r["reason"] for r in result.rejections}
    assert reasons[5] == "repeats the show_id, metric and date of row 4 with another value"
    assert "show_id 'ghost' is not in the catalog" in reasons[6]
    assert "metric 'Listens!' is not a metric name" in reasons[7]
    assert reasons[8] == "date '01/06/2026' is not a date; write it as YYYY-MM-DD"
    assert reasons[9] == "value 'lots' is not a number"
    assert reasons[10] == "value 'inf' is not a finite number"
    assert reasons[11] == "missing metric"
    stored = dict(_rows(tenant.id, "select day, value from ai.imported_metrics where tenant_id = "
                                   "%(tenant_id)s and day <= '2026-06-03'"))
    assert stored == {date(2026, 6, 1): 777.0, date(2026, 6, 2): 500.0, date(2026, 6, 3): 500.0}
    again = import_metrics(tenant.id, path)
    assert (again.loaded, again.duplicates, again.rejected) == (0, 4, 7)
    # put the fixture's values back for the other tests
    import_metrics(tenant.id, _write(tmp_path / "back.csv", [["s3", "listens", "2026-06-01", "500"],
                                                            ["s3", "listens", "2026-06-02", "800"]]))
    with pytest.raises(MetricsFileError, match="has the column"):
        (tmp_path / "bad.csv").write_text("show_id,metric,day,value\ns3,listens,2026-06-01,1\n")
        import_metrics(tenant.id, tmp_path / "bad.csv")


def test_the_mart_fills_earmark_days_and_keeps_imported_days_missing(tenant):
    series = dict(((scope, entity, metric), (n, zeros, first, last))
                  for scope, entity, metric, n, zeros, first, last in _rows(tenant.id, """
        select scope, entity_id, metric, count(*), count(*) filter (where value = 0), min(day), max(day)
        from analytics.fct_daily_metrics where tenant_id = %(tenant_id)s group by 1, 2, 3"""))
    # the outage's three days are real zeros in s1's impressions, every other day has its value
    assert series[("show", "s1", "impressions")] == (150, 3, START, LAST_DAY)
    assert series[("show", "s2", "impressions")][:2] == (150, 0)
    assert series[("campaign", "c1", "impressions")][:2] == (150, 0)
    # the imported series holds exactly the days sent: no zero for the missing ones
    assert series[("show", "s3", "listens")] == (len(IMPORTED_DAYS), 0, START, IMPORTED_DAYS[-1])
    assert {("show", "s1", m) for m in ("impressions", "spend", "conversions", "revenue")} <= set(series)


def test_the_outage_is_flagged_on_each_day_and_explained(tenant):
    found = _rows(tenant.id, """
        select day, kind, actual, expected, lower, explanation, dimension, dimension_value, dimension_share
        from ai.anomalies where tenant_id = %(tenant_id)s and as_of = %(as_of)s and scope = 'show'
            and entity_id = 's1' and metric = 'impressions' order by day""", {"as_of": LAST_DAY})
    by_day = {row[0]: row for row in found}
    for day in OUTAGE_DAYS:
        _, kind, actual, expected, lower, explanation, dimension, value, share = by_day[day]
        assert kind == "dip" and actual == 0 and expected > lower > 0
        assert explanation.endswith(".") and len(explanation.split(". ")) == 1
        # one campaign buys the show: all of the shortfall is its
        assert (dimension, value, share) == ("campaign", "c1", 1.0)
        assert "c1" in explanation
    # the rest of the year is the normal weekly rhythm: at most a false alarm or two, never a release day
    others = [row for row in found if row[0] not in OUTAGE_DAYS and abs((row[0] - OUTAGE_DAYS[1]).days) > 2]
    assert len(others) <= 2, others
    s2 = _rows(tenant.id, "select day from ai.anomalies where tenant_id = %(tenant_id)s and as_of = "
                          "%(as_of)s and entity_id = 's2' and metric = 'impressions'", {"as_of": LAST_DAY})
    assert not [d for (d,) in s2 if d.weekday() == 0], "a normal release peak was flagged"
    assert len(s2) <= 2


def test_each_output_sits_beside_its_model_and_a_rerun_replaces_it(tenant):
    statement = """select scope, entity_id, metric, day, actual, expected, lower, upper, score, kind,
                       explanation
                   from ai.anomalies where tenant_id = %(tenant_id)s and as_of = %(as_of)s
                   order by 1, 2, 3, 4"""
    forecasts = """select scope, entity_id, metric, day, predicted, lower, upper from ai.forecasts
                   where tenant_id = %(tenant_id)s and as_of = %(as_of)s order by 1, 2, 3, 4"""
    night = {"as_of": LAST_DAY}
    first = (_rows(tenant.id, statement, night), _rows(tenant.id, forecasts, night))
    assert _materialize(LAST_DAY, str(tenant.id)).success
    assert (_rows(tenant.id, statement, {"as_of": LAST_DAY}),
            _rows(tenant.id, forecasts, {"as_of": LAST_DAY})) == first
    fits = _rows(tenant.id, """select task, scope, entity_id, metric, model, inputs, run_id from ai.model_fits
                               where tenant_id = %(tenant_id)s and as_of = %(as_of)s""", {"as_of": LAST_DAY})
    by_key = {(task, scope, entity, metric): (model, inputs) for task, scope, entity, metric, model, inputs, _
              in fits}
    model, inputs = by_key[("anomalies", "show", "s1", "impressions")]
    assert model["name"] and model["version"]
    assert (inputs["start"], inputs["end"], inputs["days"], inputs["source"]) == (
        START.isoformat(), LAST_DAY.isoformat(), 150, "earmark")
    assert len(inputs["values_sha256"]) == 64
    assert by_key[("anomalies", "show", "s3", "listens")][1]["observed"] == len(IMPORTED_DAYS)
    assert ("forecasts", "show", "s1", "impressions") in by_key
    # one run per night: every fit of this night came from the rerun
    assert len({run for *_, run in fits}) == 1
    horizon = _rows(tenant.id, "select min(day), max(day), count(*) from ai.forecasts where tenant_id = "
                               "%(tenant_id)s and as_of = %(as_of)s and entity_id = 's2' and metric = "
                               "'impressions'", {"as_of": LAST_DAY})
    assert horizon == [(LAST_DAY + timedelta(days=1), LAST_DAY + timedelta(days=28), 28)]


def test_the_newest_day_check_warns_on_the_outage_night(tenant):
    night = OUTAGE_DAYS[1]
    result = _materialize(night, str(tenant.id))
    assert result.success
    (check,) = [c for c in result.get_asset_check_evaluations() if c.check_name == "newest_day_as_expected"]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    flagged = check.metadata["first"].value
    assert {(a["entity_id"], a["metric"], a["kind"]) for a in flagged} >= {("s1", "impressions", "dip")}
    # that night's outputs used nothing after it: its anomalies end on the night, forecasts start after it
    assert _rows(tenant.id, "select max(day) from ai.anomalies where tenant_id = %(tenant_id)s and as_of = "
                            "%(as_of)s", {"as_of": night}) == [(night,)]
    # an outage on a show with running spend is an action for the media buyer
    actions = _rows(tenant.id, "select target, action, effect, effect_lower, effect_upper from "
                               "ai.recommendations where tenant_id = %(tenant_id)s and as_of = %(as_of)s and "
                               "kind = 'anomaly_action'", {"as_of": night})
    assert any("s1" in target for target, *_ in actions), actions
    for _, action, effect, lower, upper in actions:
        assert action and lower <= effect <= upper


def test_forecast_cli_knows_the_release_day(tenant):
    as_of = LAST_DAY - timedelta(days=30)
    runner = CliRunner()
    done = runner.invoke(app, ["forecast", "--tenant", str(tenant.id), "--metric", "impressions", "--show",
                               "s2", "--horizon", "14", "--as-of", as_of.isoformat(), "--format", "json"])
    assert done.exit_code == 0, done.output
    rows = json.loads(done.output)
    assert [r["date"] for r in rows] == [(as_of + timedelta(days=k)).isoformat() for k in range(1, 15)]
    assert all(r["show_id"] == "s2" and r["lower"] <= r["predicted"] <= r["upper"] for r in rows)
    monday = [r["predicted"] for r in rows if date.fromisoformat(r["date"]).weekday() == 0]
    sunday = [r["predicted"] for r in rows if date.fromisoformat(r["date"]).weekday() == 6]
    assert min(monday) > 2 * max(sunday)  # a release day's peak, forecast from the catalog's episodes
    wrong = runner.invoke(app, ["forecast", "--tenant", str(tenant.id), "--metric", "listens", "--show", "s1",
                                "--horizon", "7"])
    assert wrong.exit_code == 1 and "No 'listens' series for show 's1'" in str(wrong.exception)


def test_anomalies_reach_the_cli_and_the_api_of_their_tenant_only(tenant, make_tenant, make_key, client):
    runner = CliRunner()
    done = runner.invoke(app, ["anomalies", "export", "--tenant", str(tenant.id), "--start",
                               OUTAGE_DAYS[0].isoformat(), "--end", OUTAGE_DAYS[-1].isoformat(),
                               "--format", "json"])
    assert done.exit_code == 0, done.output
    exported = [r for r in json.loads(done.output) if r["show_id"] == "s1" and r["metric"] == "impressions"]
    assert [r["date"] for r in exported] == [d.isoformat() for d in OUTAGE_DAYS]
    key = make_key(tenant, ["attribution:read"])
    answer = client.get("/api/v1/ai/anomalies", headers=key.headers,
                        params={"start": OUTAGE_DAYS[0].isoformat(), "end": OUTAGE_DAYS[-1].isoformat(),
                                "show_id": "s1", "metric": "impressions", "limit": 2})
    assert answer.status_code == 200, answer.text
    page = answer.json()
    assert page["as_of"] == LAST_DAY.isoformat() and page["has_more"]
    rest = client.get("/api/v1/ai/anomalies", headers=key.headers,
                      params={"start": OUTAGE_DAYS[0].isoformat(), "end": OUTAGE_DAYS[-1].isoformat(),
                              "show_id": "s1", "metric": "impressions", "limit": 2,
                              "starting_after": page["next_cursor"]}).json()
    api_rows = page["data"] + rest["data"]
    assert [r["date"] for r in api_rows] == [d.isoformat() for d in OUTAGE_DAYS]
    assert [r["explanation"] for r in api_rows] == [r["explanation"] for r in exported]
    predictions = client.get("/api/v1/ai/predictions", headers=key.headers).json()
    placements = {(p["show_id"], p["slot"]): p for p in predictions["data"]}
    assert set(placements) == {("s1", "mid"), ("s2", "pre")}
    for p in placements.values():
        assert p["conversions_lower"] <= p["conversions"] <= p["conversions_upper"] and p["spend"] > 0
        assert p["model"]["name"] and {"model_mae", "baseline_mae"} <= set(p["validation"])
    recommendations = client.get("/api/v1/ai/recommendations", headers=key.headers).json()
    assert recommendations["as_of"] == LAST_DAY.isoformat()
    for r in recommendations["data"]:
        assert r["effect_lower"] <= r["effect"] <= r["effect_upper"] and r["model"]["attribution_model"]
    forecasts = client.get("/api/v1/ai/forecasts", headers=key.headers,
                           params={"metric": "impressions", "show_id": "s2"}).json()
    assert len(forecasts["data"]) == 28
    # another tenant's key sees none of it
    other = make_key(make_tenant(), ["attribution:read"])
    for route in ("anomalies", "predictions", "recommendations"):
        answer = client.get(f"/api/v1/ai/{route}", headers=other.headers).json()
        assert answer["data"] == [] and answer["as_of"] is None, route


def test_the_holiday_calendar_is_a_tenant_setting(make_tenant, make_key, client):
    caller = make_key(make_tenant(), ["attribution:read", "settings:write"])
    assert client.get("/api/v1/settings", headers=caller.headers).json()["country"] == "US"
    unknown = client.patch("/api/v1/settings", headers=caller.headers, json={"country": "XX"})
    assert unknown.status_code == 422 and "no holiday calendar for country 'XX'" in unknown.text
    changed = client.patch("/api/v1/settings", headers=caller.headers, json={"country": "GB"})
    assert changed.status_code == 200 and changed.json()["country"] == "GB"
    with db.connect("owner") as conn:
        from earmark.ai.insights.series import tenant_settings

        assert tenant_settings(conn, str(caller.tenant.id))["country"] == "GB"
