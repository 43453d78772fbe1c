"""Spend, CPA and ROAS against figures worked out by hand (catalog_files.py and conftest.journeys):

placements of campaign c1 (USD):
  p_cpm  on s1, $20 CPM, 1,500 + 500 impressions          -> $30 on 09-01, $10 on 09-02
  p_flat on s2, $100 over 09-01..09-03, 1,000 impressions -> $33.34, $33.33, $33.33
  p_cpa  on s3, $25 per conversion under the reporting model; u3's conversion on 09-03 credits it
         1 (first touch), 0.5 (linear) or 0 (last touch)   -> $25, $12.50 or $0
linear credit per show: s1 0.5 ($50), s2 1 ($60), s3 0.5 ($40), (none) 1 ($90), (unknown) 1 ($10).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from catalog_files import build

from earmark import db
from earmark.attribution import MODELS
from earmark.catalog import economics


def _query(tenant_id, sql: str, params: dict | None = None) -> list[tuple]:
    with db.connect("api") as conn, db.tenant_transaction(conn, tenant_id):
        return conn.execute(sql, params or {}).fetchall()


def _set_reporting_model(tenant_id, model: str) -> None:
    with db.connect("owner") as conn:
        conn.execute("update app.tenant_settings set reporting_model = %s, updated_at = now() "
                     "where tenant_id = %s", [model, tenant_id])


def _by(rows: list[dict], key: str) -> dict[str, dict]:
    return {row[key]: row for row in rows}


def test_spend_per_day_follows_each_pricing_rule(economics_tenants):
    rows = _query(economics_tenants.a.id, "select spend_date::text, placement_id, spend, impressions "
                                          "from analytics.fct_daily_spend order by 1, 2")
    assert rows == [
        ("2026-09-01", "p_cpm", Decimal("30"), 1500), ("2026-09-01", "p_flat", Decimal("33.34"), 0),
        ("2026-09-02", "p_cpm", Decimal("10"), 500), ("2026-09-02", "p_flat", Decimal("33.33"), 1000),
        ("2026-09-03", "p_cpa", Decimal("12.5"), 0), ("2026-09-03", "p_flat", Decimal("33.33"), 0),
    ]


def test_show_economics_under_the_linear_model(economics_tenants):
    with db.connect("api") as conn:
        shows = _by(economics.export_rows(conn, economics_tenants.a.id, by="show"), "show_id")
    assert set(shows) == {"s1", "s2", "s3", "(none)", "(unknown)"}
    s1, s2, s3 = shows["s1"], shows["s2"], shows["s3"]
    figures = ("title", "currency", "spend", "impressions", "conversions", "revenue")
    assert tuple(s1[f] for f in figures) == ("Show One", "USD", 40.0, 2000, 0.5, 50.0)
    assert (s1["cpa"], s1["roas"], s1["cpm"], s1["conversions_per_mille"]) == (80.0, 1.25, 20.0, 0.25)
    assert (s2["spend"], s2["conversions"], s2["cpa"], s2["roas"], s2["cpm"]) == (
        100.0, 1.0, 100.0, 0.6, 100.0)
    # No impressions reported for the CPA placement: CPM is null, not an error or infinity.
    assert (s3["spend"], s3["cpa"], s3["roas"], s3["cpm"], s3["conversions_per_mille"]) == (
        12.5, 25.0, 3.2, None, None)
    # No spend: ROAS is null.
    none = shows["(none)"]
    assert (none["conversions"], none["spend"], none["roas"]) == (1.0, 0.0, None)
    assert shows["(unknown)"]["revenue"] == 10.0
    assert {row["model"] for row in shows.values()} == {"linear"}


def test_campaign_economics_and_the_reporting_model_bills_cpa(economics_tenants):
    tenant = economics_tenants.a.id
    with db.connect("api") as conn:
        campaigns = _by(economics.export_rows(conn, tenant, by="campaign"), "campaign_id")
    c1 = campaigns["c1"]
    assert (c1["campaign_name"], c1["advertiser_id"], c1["spend"], c1["impressions"], c1["conversions"],
            c1["revenue"]) == ("Autumn", "adv1", 152.5, 3000, 1.0, 90.0)
    assert (c1["cpa"], c1["roas"], c1["cpm"]) == (152.5, pytest.approx(90 / 152.5), pytest.approx(152.5 / 3))
    assert campaigns["(none)"]["conversions"] == 3.0  # two searches at 0.5 and u2's show-only touch

    try:
        _set_reporting_model(tenant, "first_touch")
        build()
        billed = _query(tenant, "select spend from analytics.fct_daily_spend where placement_id = 'p_cpa'")
        assert billed == [(Decimal("25"),)]
        _set_reporting_model(tenant, "last_touch")
        build()
        assert _query(tenant, "select spend from analytics.fct_daily_spend where placement_id = 'p_cpa'") == [
            (Decimal("0"),)]
        with db.connect("api") as conn:
            # No model asked for: the reporting model's rows.
            rows = economics.export_rows(conn, tenant, by="campaign")
        assert {row["model"] for row in rows} == {"last_touch"}
    finally:
        _set_reporting_model(tenant, "linear")
        build()


def test_each_model_credits_shows_with_the_tenants_conversions(economics_tenants):
    totals = _query(economics_tenants.a.id, "select model, sum(conversions), sum(revenue) "
                                            "from analytics.fct_daily_show_credits group by model order by 1")
    # Fractional credits summed in whatever order the plan reads them differ in the last bit.
    assert [model for model, *_ in totals] == sorted(MODELS)
    for model, conversions, revenue in totals:
        assert (conversions, revenue) == (pytest.approx(4.0), pytest.approx(250.0)), model
    first_touch = dict(_query(economics_tenants.a.id, "select show_id, sum(conversions) from "
                                                      "analytics.fct_daily_show_credits where model = "
                                                      "'first_touch' group by 1"))
    # Groups a model gives nothing stay as zeros, so models compare over the same rows.
    assert first_touch == {"s1": 1.0, "s2": 1.0, "s3": 1.0, "(unknown)": 1.0, "(none)": 0.0}


def test_tenants_with_the_same_ids_see_only_their_own(economics_tenants):
    b = economics_tenants.b.id
    rows = _query(b, "select placement_id, sum(spend), sum(impressions) from analytics.fct_daily_spend "
                     "group by 1 order by 1")
    # $1 CPM on 7 + 7 impressions, $1 flat over three days; no conversions, so no CPA spend.
    assert rows == [("p_cpm", Decimal("0.014"), 14), ("p_flat", Decimal("1.00"), 7)]
    with db.connect("api") as conn:
        shows = _by(economics.export_rows(conn, b, by="show"), "show_id")
    assert set(shows) == {"s1", "s2"} and shows["s1"]["conversions"] == 0
    assert _query(b, "select count(*) from analytics.fct_daily_show_credits") == [(0,)]


def test_a_late_catalog_import_resolves_unknown_shows_on_the_next_run(make_tenant, tmp_path):
    """Events name a show and a promo code the catalog does not know yet: kept, reported as '(unknown)', and
    resolved by the next run after the catalog arrives (no new events: the catalog revision recomputes)."""
    from datetime import UTC, datetime

    from catalog_files import load, write_csv

    from earmark.catalog.importer import import_file

    tenant = make_tenant()
    base = datetime(2026, 9, 1, tzinfo=UTC)
    load(tenant.id, [
        {"event_id": "t1", "user_id": "u1", "occurred_at": base, "event_type": "touchpoint",
         "channel": "podcast", "revenue": 0.0, "show_id": "late"},
        {"event_id": "t2", "user_id": "u1", "occurred_at": base, "event_type": "touchpoint",
         "channel": "podcast", "revenue": 0.0, "promo_code": "LATE10"},
        {"event_id": "c1", "user_id": "u1", "occurred_at": base.replace(hour=5), "event_type": "conversion",
         "channel": None, "revenue": 30.0},
    ])
    build()
    by_show = ("select show_id, sum(conversions) from analytics.fct_daily_show_credits "
               "where model = 'linear' group by 1 order by 1")
    assert _query(tenant.id, by_show) == [("(unknown)", 1.0)]

    for kind, rows in (
        ("shows", [{"show_id": "late", "title": "Late Show"}, {"show_id": "later", "title": "Later"}]),
        ("advertisers", [{"advertiser_id": "a", "name": "A"}]),
        ("campaigns", [{"campaign_id": "c", "advertiser_id": "a", "name": "C", "starts_on": "2026-09-01",
                        "ends_on": "2026-09-30", "currency": "EUR"}]),
        ("promo_codes", [{"code": "late-10", "campaign_id": "c", "show_id": "later"}]),
    ):
        assert import_file(tenant.id, kind, write_csv(tmp_path / f"{kind}.csv", rows)).rejected == 0
    build()
    assert _query(tenant.id, by_show) == [("late", 0.5), ("later", 0.5)]
    campaigns = _query(tenant.id, "select campaign_id, currency, sum(conversions) "
                                  "from analytics.fct_daily_economics where model = 'linear' "
                                  "group by 1, 2 order by 1")
    assert campaigns == [("(none)", "USD", 0.5), ("c", "EUR", 0.5)]
