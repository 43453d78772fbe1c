"""Point 5: a CPM placement whose ad slots Earmark counts is billed on the delivered-ad counts (in the
tenant's download_window mode), and the economics marts say which source each figure came from."""

from __future__ import annotations

from decimal import Decimal

from logs import episode, row, ts
from stored import add_catalog, write_log

from earmark import db
from earmark.attribution import dbt_env
from earmark.downloads import counted, ingest

EPISODES = [episode()]  # T = 100,000 bytes of 1,000,000
LOG = [
    # Monday: three listeners download the whole file; one more fetches only bytes 500,000 on (no ad).
    row("m1", ts("2026-11-02", "08:00"), ip="192.0.2.1"),
    row("m2", ts("2026-11-02", "09:00"), ip="192.0.2.2"),
    row("m3", ts("2026-11-02", "10:00"), ip="192.0.2.3"),
    row("m4", ts("2026-11-02", "11:00"), ip="192.0.2.4", range="bytes=500000-", status=206, sent=500_000),
    # Tuesday: listener 1 again 20 h after Monday: a fixed-window download (and ad), a rolling duplicate.
    row("t1", ts("2026-11-03", "04:00"), ip="192.0.2.1"),
]


def _catalog(tenant_id) -> None:
    add_catalog(tenant_id, EPISODES)
    with db.connect("owner") as conn:
        conn.execute("insert into catalog.advertisers (tenant_id, advertiser_id, name) "
                     "values (%s, 'adv', 'Adv')", [tenant_id])
        conn.execute("insert into catalog.campaigns (tenant_id, campaign_id, advertiser_id, name, starts_on, "
                     "ends_on, currency) "
                     "values (%s, 'c1', 'adv', 'Autumn', '2026-11-01', '2026-11-30', 'USD')",
                     [tenant_id])
        for placement in ("p_counted", "p_reported"):
            conn.execute("insert into catalog.placements (tenant_id, placement_id, campaign_id, show_id, "
                         "slot, kind, pricing, rate) "
                         "values (%s, %s, 'c1', 's1', 'pre', 'dynamic_insert', 'cpm', 20)",
                         [tenant_id, placement])
            for day in ("2026-11-02", "2026-11-03"):
                conn.execute("insert into catalog.deliveries (tenant_id, placement_id, day, impressions) "
                             "values (%s, %s, %s, 1000)", [tenant_id, placement, day])
        conn.execute("insert into catalog.ad_slots (tenant_id, ad_id, episode_id, kind, start_byte, "
                     "end_byte, placement_id) values (%s, 'a1', 'e1', 'dai', 0, 999, 'p_counted')",
                     [tenant_id])


def _spend(tenant_id) -> list[tuple]:
    with db.connect("api") as conn, db.tenant_transaction(conn, tenant_id):
        return conn.execute("select spend_date::text, placement_id, impressions, impressions_source, spend "
                            "from analytics.fct_daily_spend order by 1, 2").fetchall()


def _build() -> None:
    done = dbt_env.run_dbt("build", "--exclude", "resource_type:unit_test")
    assert done.returncode == 0, done.stdout[-4000:]


def test_counted_ad_deliveries_replace_reported_impressions(make_tenant, tmp_path):
    tenant = make_tenant()
    _catalog(tenant.id)
    ingest.ingest_file(tenant.id, write_log(tmp_path / "log.csv", LOG))
    with db.connect("transformer") as conn:
        window = counted.stale_range(conn)
    counted.count_days(*window)
    _build()
    # fixed (default): Monday 3 deliveries of a1, Tuesday 1; $20 CPM -> $0.06 and $0.02
    assert _spend(tenant.id) == [
        ("2026-11-02", "p_counted", 3, "earmark_counted", Decimal("0.06")),
        ("2026-11-02", "p_reported", 1000, "host_reported", Decimal("20")),
        ("2026-11-03", "p_counted", 1, "earmark_counted", Decimal("0.02")),
        ("2026-11-03", "p_reported", 1000, "host_reported", Decimal("20")),
    ]
    with db.connect("api") as conn, db.tenant_transaction(conn, tenant.id):
        economics = conn.execute("select day::text, impressions, counted_impressions "
                                 "from analytics.fct_daily_economics "
                                 "where model = 'linear' and campaign_id = 'c1' order by 1").fetchall()
    assert economics == [("2026-11-02", 1003, 3), ("2026-11-03", 1001, 1)]

    with db.connect("owner") as conn:
        conn.execute("update app.tenant_settings set download_window = 'rolling' where tenant_id = %s",
                     [tenant.id])
    _build()
    # rolling: t1 is a duplicate of Monday's download, so Tuesday delivers nothing (and is billed nothing)
    assert [r[:4] for r in _spend(tenant.id) if r[1] == "p_counted"] == [
        ("2026-11-02", "p_counted", 3, "earmark_counted"), ("2026-11-03", "p_counted", 0, "earmark_counted")]
