"""Household matching end to end: request logs counted into delivered ads, pixel events with addresses, the
nightly matching, and the five attribution models crediting the matched exposures; the window's edge, the
carrier and shared-household exclusions, the dedupe order of listener signals, reruns, and lift."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta

import pytest
from logs import episode, row, ts
from stored import add_catalog, write_log

from earmark import db
from earmark.attribution import dbt_env
from earmark.downloads import counted, ingest
from earmark.households import lift_runs, matching
from pipelines import runner

EXPOSED_AT = datetime.fromisoformat("2026-11-02T08:00:00+00:00")
LOG = [
    row("r-a", ts("2026-11-02", "08:00"), ip="192.0.2.1"),
    row("r-b", ts("2026-11-02", "09:00"), ip="192.0.2.2"),
    row("r-c", ts("2026-11-02", "10:00"), ip="100.64.1.1"),  # carrier-grade NAT
    row("r-d", ts("2026-11-02", "11:00"), ip="192.0.2.4"),  # a shared household (see its pixel events)
    row("r-e", ts("2026-11-02", "08:00"), ip="192.0.2.5"),
    row("r-x", ts("2026-11-02", "08:00"), ip="192.0.2.9"),  # exposed, never visits (lift's exposed group)
]
PIXEL_UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/605.1.15"
COLUMNS = [
    "event_id",
    "user_id",
    "occurred_at",
    "event_type",
    "channel",
    "campaign_id",
    "revenue",
    "promo_code",
    "vanity_url",
    "ip",
    "user_agent",
    "survey_answer",
]


def event(
    event_id,
    user,
    when,
    kind="touchpoint",
    channel="site",
    ip="",
    revenue="",
    promo="",
    vanity="",
    answer="",
    ua=PIXEL_UA,
) -> dict:
    return {
        "event_id": event_id,
        "user_id": user,
        "occurred_at": when,
        "event_type": kind,
        "channel": channel if kind == "touchpoint" else "",
        "campaign_id": "",
        "revenue": revenue,
        "promo_code": promo,
        "vanity_url": vanity,
        "ip": ip,
        "user_agent": ua if ip else "",
        "survey_answer": answer,
    }


EDGE = (EXPOSED_AT + timedelta(days=30)).isoformat()
PAST_EDGE = (EXPOSED_AT + timedelta(days=30, seconds=1)).isoformat()
EVENTS = [
    # a: visits the day after the exposure, converts two days later: the podcast touch is credited
    event("a1", "u-a", "2026-11-03T10:00:00Z", ip="192.0.2.1"),
    event("a2", "u-a", "2026-11-04T10:00:00Z", kind="conversion", revenue="50"),
    # b: a visit from the household, then a conversion with the campaign's promo code: the code wins
    event("b1", "u-b", "2026-11-03T10:00:00Z", ip="192.0.2.2"),
    event("b2", "u-b", "2026-11-05T10:00:00Z", kind="conversion", revenue="80", promo="ledger20"),
    # c: a carrier address never matches
    event("c1", "u-c", "2026-11-03T10:00:00Z", ip="100.64.1.1"),
    event("c2", "u-c", "2026-11-04T10:00:00Z", kind="conversion", revenue="10"),
    # e: exactly 30 days after the exposure matches; f (same household) one second later does not
    event("e1", "u-e", EDGE, ip="192.0.2.5"),
    event("f1", "u-f", PAST_EDGE, ip="192.0.2.5"),
    # s: a survey answer names the show, whose only running campaign it credits
    event("s1", "u-s", "2026-11-06T09:00:00Z", channel="survey", answer="the night ledger pod"),
    event("s2", "u-s", "2026-11-06T10:00:00Z", kind="conversion", revenue="30"),
    # v: a vanity-URL visit and a survey answer of the same campaign: the vanity URL is its touch
    event("v1", "u-v", "2026-11-06T08:00:00Z", channel="site", vanity="https://www.fernwear.com/ledger/"),
    event("v2", "u-v", "2026-11-06T09:00:00Z", channel="survey", answer="Night Ledger"),
    event("v3", "u-v", "2026-11-06T10:00:00Z", kind="conversion", revenue="40"),
    # n: a survey answer naming nothing in the catalog stays a plain survey touch
    event("n1", "u-n", "2026-11-06T09:00:00Z", channel="survey", answer="my sister told me"),
    event("n2", "u-n", "2026-11-06T10:00:00Z", kind="conversion", revenue="20"),
]
# d: 21 user agents in one day from one household: shared, never matched
EVENTS += [
    event(
        f"d{i}",
        f"u-d{i}",
        f"2026-11-03T{10 + i // 4:02d}:{i % 4 * 10:02d}:00Z",
        ip="192.0.2.4",
        ua=f"Mozilla/5.0 (device {i})",
    )
    for i in range(21)
]


def _catalog(tenant_id) -> None:
    add_catalog(tenant_id, [episode()])
    with db.connect("owner") as conn:
        conn.execute("update catalog.shows set title = 'The Night Ledger' where tenant_id = %s", [tenant_id])
        conn.execute(
            "insert into catalog.advertisers (tenant_id, advertiser_id, name) values (%s, 'fern', "
            "'Fern Wear')",
            [tenant_id],
        )
        conn.execute(
            "insert into catalog.campaigns (tenant_id, campaign_id, advertiser_id, name, starts_on, "
            "ends_on, currency) values (%s, 'c1', 'fern', 'Autumn', '2026-11-01', '2026-12-31', 'USD')",
            [tenant_id],
        )
        conn.execute(
            "insert into catalog.placements (tenant_id, placement_id, campaign_id, show_id, slot, kind, "
            "pricing, rate) values (%s, 'p1', 'c1', 's1', 'pre', 'dynamic_insert', 'cpm', 20)",
            [tenant_id],
        )
        conn.execute(
            "insert into catalog.ad_slots (tenant_id, ad_id, episode_id, kind, start_byte, end_byte, "
            "placement_id) values (%s, 'a1', 'e1', 'dai', 0, 999, 'p1')",
            [tenant_id],
        )
        conn.execute(
            "insert into catalog.promo_codes (tenant_id, code, campaign_id, show_id) "
            "values (%s, 'LEDGER20', 'c1', 's1')",
            [tenant_id],
        )
        conn.execute(
            "insert into catalog.vanity_urls (tenant_id, url, campaign_id, show_id) "
            "values (%s, 'fernwear.com/ledger', 'c1', 's1')",
            [tenant_id],
        )


def _touches(tenant_id) -> dict[str, list[tuple]]:
    """user -> (channel, campaign, show, placement, linear credit) of each touch credited to a conversion."""
    with db.connect("transformer") as conn:
        rows = conn.execute(
            "select user_id, channel, campaign_id, show_id, placement_id, round(linear_credit::numeric, 6) "
            "from analytics.fct_touch_credits where tenant_id = %s and touch_position > 0 "
            "order by user_id, touched_at, channel",
            [tenant_id],
        ).fetchall()
    found: dict[str, list[tuple]] = {}
    for user, *rest in rows:
        found.setdefault(user, []).append(tuple(rest))
    return found


@pytest.fixture(scope="module")
def matched(tmp_path_factory, database):
    from earmark import tenancy

    with db.connect("owner") as conn:
        tenant = tenancy.create_tenant(conn, "households-e2e")
    folder = tmp_path_factory.mktemp("households")
    _catalog(tenant.id)
    ingest.ingest_file(tenant.id, write_log(folder / "log.csv", LOG))
    with db.connect("transformer") as conn:
        window = counted.stale_range(conn)
    counted.count_days(*window)
    path = folder / "events.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(EVENTS)
    assert runner.ingest(str(tenant.id), [str(path)]).success
    summary = matching.run_tenant(tenant.id)
    done = dbt_env.run_dbt("build", "--exclude", "resource_type:unit_test")
    assert done.returncode == 0, done.stdout[-4000:]
    return tenant, summary


def test_matches_respect_the_window_and_the_exclusions(matched):
    tenant, summary = matched
    with db.connect("transformer") as conn:
        pairs = conn.execute(
            "select user_id, download_id, first_visit_event_id from households.matches "
            "where tenant_id = %s order by 1",
            [tenant.id],
        ).fetchall()
    assert pairs == [("u-a", "r-a", "a1"), ("u-b", "r-b", "b1"), ("u-e", "r-e", "e1")]
    assert summary.exposures == 6 and summary.eligible_exposures == 4 and summary.matched_exposures == 3
    assert summary.excluded["exposures_carrier"] == 1 and summary.excluded["exposures_shared"] == 1
    assert summary.excluded["pixel_events_carrier"] == 1 and summary.excluded["shared_households"] == 1
    assert summary.matched_visitors == 3
    with db.connect("transformer") as conn:
        day = conn.execute(
            "select exposures, households, eligible, matched, excluded_carrier, excluded_shared "
            "from households.exposure_days where tenant_id = %s",
            [tenant.id],
        ).fetchall()
    assert day == [(6, 6, 4, 3, 1, 1)]


def test_the_five_models_credit_the_matched_exposure(matched):
    tenant, _ = matched
    touches = _touches(tenant.id)
    assert touches["u-a"] == [("podcast", "c1", "s1", "p1", 0.5), ("site", "(none)", "(none)", "(none)", 0.5)]
    with db.connect("transformer") as conn:
        first = conn.execute(
            "select channel, first_touch_credit, last_touch_credit from analytics.fct_touch_credits "
            "where tenant_id = %s and user_id = 'u-a' order by touch_position",
            [tenant.id],
        ).fetchall()
    assert first == [("podcast", 1.0, 0.0), ("site", 0.0, 1.0)]


def test_one_signal_per_conversion_and_campaign_by_the_dedupe_order(matched):
    tenant, _ = matched
    touches = _touches(tenant.id)
    # b: promo code beats the household match of the same campaign: no podcast touch
    assert [t[0] for t in touches["u-b"]] == ["site", "promo_code"]
    assert touches["u-b"][1][:3] == ("promo_code", "c1", "s1")
    # s: the survey answer linked to the show and its campaign
    assert touches["u-s"] == [("survey", "c1", "s1", "(none)", 1)]
    # v: the vanity URL beats the survey answer of the same campaign
    assert [t[:2] for t in touches["u-v"]] == [("site", "c1")]
    # n: an answer naming nothing stays an unlinked survey touch
    assert touches["u-n"] == [("survey", "(none)", "(none)", "(none)", 1)]
    with db.connect("transformer") as conn:
        dropped = conn.execute(
            "select event_id, kept_kind, dropped_kind from households.suppressed where tenant_id = %s",
            [tenant.id],
        ).fetchall()
        links = conn.execute(
            "select event_id, matched_id, campaign_id, confidence > 0.8 from households.survey_links "
            "where tenant_id = %s order by 1",
            [tenant.id],
        ).fetchall()
    assert dropped == [("v2", "vanity_url", "survey")]
    assert links == [("s1", "s1", "c1", True), ("v2", "s1", "c1", True)]


def test_a_rerun_changes_nothing(matched):
    tenant, _ = matched
    before = _touches(tenant.id)
    with db.connect("transformer") as conn:
        loaded = conn.execute(
            "select event_id, loaded_at from households.signal_touches where tenant_id = %s order by 1",
            [tenant.id],
        ).fetchall()
    matching.run_tenant(tenant.id)
    done = dbt_env.run_dbt("build", "--exclude", "resource_type:unit_test")
    assert done.returncode == 0, done.stdout[-4000:]
    assert _touches(tenant.id) == before
    with db.connect("transformer") as conn:
        again = conn.execute(
            "select event_id, loaded_at from households.signal_touches where tenant_id = %s order by 1",
            [tenant.id],
        ).fetchall()
    assert again == loaded  # unchanged touches keep their loaded_at: nothing is recomputed for nothing


def test_metrics_and_lift_of_the_campaign(matched):
    tenant, _ = matched
    with db.connect("transformer") as conn:
        metrics = conn.execute(
            "select impressions, reach, frequency, matched, match_rate, matched_visitors, visit_rate "
            "from analytics.fct_household_metrics where tenant_id = %s and model = 'linear'",
            [tenant.id],
        ).fetchall()
    assert metrics == [(6, 6, 1.0, 3, 0.5, 3, 0.5)]
    found = lift_runs.tenant_lifts(tenant.id, "c1")["c1"]
    visits = found["visits"]
    # every listener of the show that week heard the ad: no control household, so no lift, and it says why
    assert visits.exposed_households == 0 and visits.dropped_exposed == 4 and visits.lift is None
    assert visits.reason


def test_the_api_reports_match_rates_metrics_and_lift(matched, make_key, client):
    tenant, _ = matched
    reader = make_key(tenant, ["attribution:read"])
    answer = client.get("/api/v1/households/metrics", headers=reader.headers, params={"model": "linear"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [(r["campaign_id"], r["show_id"], r["impressions"], r["matched"], r["match_rate"])
            for r in body["rows"]] == [("c1", "s1", 6, 3, 0.5)]
    # 3 of the 6 delivered ads matched; 3 matched users of the 26 the pixel saw (a, b, c, e, f and 21 of d)
    assert body["match_rates"] == [{"campaign_id": "c1", "show_id": "s1", "exposures": 6, "eligible": 4,
                                    "matched": 3, "match_rate": 0.5, "matched_visitors": 3,
                                    "pixel_visitors": 26, "visitor_match_rate": 3 / 26}]
    assert client.get("/api/v1/lift/campaigns/c1", headers=reader.headers).status_code == 404  # not run yet
    lift_runs.store_tenant(tenant.id, datetime(2026, 11, 30).date())
    lift = client.get("/api/v1/lift/campaigns/c1", headers=reader.headers).json()
    assert lift["as_of"] == "2026-11-30" and lift["visits"]["exposed_households"] == 0
    assert lift["visits"]["statement"] and lift["conversions"]["metric"] == "conversions"
