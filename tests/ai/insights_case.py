"""A tenant with five months of podcast advertising whose daily series hold known events, for the insights
pipeline tests: two shows releasing every Monday, one campaign with a CPM placement on each, daily
deliveries that peak on release days and decay, and buyers who heard the ads.

Planted on show s1's placement: an outage (no delivered impressions) on OUTAGE_DAYS. Everything else is
the normal weekly rhythm, so the detector should flag the outage and nothing like it elsewhere.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import polars as pl

from earmark import db
from earmark.attribution import dbt_env
from earmark.attribution.synthetic import copy_events
from earmark.catalog.entities import SPECS
from earmark.catalog.importer import import_records
from earmark.ingest.validate import LOADED_COLUMNS

START = date(2026, 6, 1)  # a Monday
DAYS = 150
LAST_DAY = START + timedelta(days=DAYS - 1)  # 2026-10-28
OUTAGE_DAYS = [START + timedelta(days=d) for d in (120, 121, 122)]  # 2026-09-29 .. 10-01 (Tue-Thu)
SHOWS = {"s1": 4000, "s2": 1500}  # release-day impressions


def impressions(show: str, day: date, rng: random.Random) -> int:
    """A Monday release peaks, the next days decay toward a floor (what a feed's downloads do)."""
    since = (day - START).days % 7
    level = SHOWS[show] * (0.25 + 0.75 * 0.55 ** since)
    return max(0, round(rng.gauss(level, level ** 0.5 * 1.5)))


def catalog(rng: random.Random) -> list[tuple[str, list[dict]]]:
    episodes = [{"episode_id": f"{show}-e{week}", "show_id": show,
                 "published_at": f"{START + timedelta(days=7 * week)}T06:00:00Z", "bytes_total": "",
                 "duration_s": "", "id3_bytes": ""}
                for show in SHOWS for week in range(DAYS // 7 + 1)]
    deliveries = []
    for show, placement in (("s1", "p1"), ("s2", "p2")):
        for offset in range(DAYS):
            day = START + timedelta(days=offset)
            count = 0 if placement == "p1" and day in OUTAGE_DAYS else impressions(show, day, rng)
            deliveries.append({"placement_id": placement, "day": day.isoformat(), "impressions": str(count)})
    return [
        ("advertisers", [{"advertiser_id": "adv", "name": "Lumen Socks", "aliases": "",
                          "domains": "lumen.com"}]),
        ("shows", [{"show_id": "s1", "title": "Morning Loop", "hosts": ""},
                   {"show_id": "s2", "title": "Night Shift", "hosts": ""},
                   {"show_id": "s3", "title": "Elsewhere Weekly", "hosts": ""}]),
        ("episodes", episodes),
        ("campaigns", [{"campaign_id": "c1", "advertiser_id": "adv", "name": "Always on",
                        "starts_on": START.isoformat(), "ends_on": "2027-03-31", "currency": "USD",
                        "budget": ""}]),
        ("placements", [
            {"placement_id": "p1", "campaign_id": "c1", "show_id": "s1", "episode_id": "", "slot": "mid",
             "kind": "host_read", "pricing": "cpm", "rate": "25", "starts_on": "", "ends_on": ""},
            {"placement_id": "p2", "campaign_id": "c1", "show_id": "s2", "episode_id": "", "slot": "pre",
             "kind": "produced", "pricing": "cpm", "rate": "18", "starts_on": "", "ends_on": ""},
        ]),
        ("deliveries", deliveries),
    ]


def journeys(rng: random.Random) -> list[dict]:
    """Per day a few buyers who heard a placement that day (more after a release), each buying that day."""
    rows = []
    for offset in range(DAYS):
        day = START + timedelta(days=offset)
        base = datetime(day.year, day.month, day.day, 8, tzinfo=UTC)
        for placement, mean in (("p1", 6.0), ("p2", 3.0)):
            weekly = 1.6 if day.weekday() == 0 else 1.0
            for n in range(_poisson(rng, mean * weekly)):
                user = f"{placement}-{offset}-{n}"
                rows.append({"event_id": f"t-{user}", "user_id": user, "occurred_at": base,
                             "event_type": "touchpoint", "channel": "podcast", "revenue": 0.0,
                             "placement_id": placement})
                rows.append({"event_id": f"v-{user}", "user_id": user,
                             "occurred_at": base + timedelta(hours=1),
                             "event_type": "touchpoint", "channel": "search", "revenue": 0.0,
                             "campaign_id": "c1"})
                rows.append({"event_id": f"c-{user}", "user_id": user,
                             "occurred_at": base + timedelta(hours=2),
                             "event_type": "conversion", "channel": None, "revenue": 40.0})
    return rows


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method: small means only
    limit, k, p = pow(2.718281828459045, -mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def make(tenant_id) -> None:
    """The catalog through the importer (as `earmark catalog import` writes it), the events straight in."""
    rng = random.Random(15)
    with db.connect("api") as conn, db.tenant_transaction(conn, tenant_id):
        for kind, rows in catalog(rng):
            records = [(n, {k: v for k, v in row.items() if v != ""}) for n, row in enumerate(rows, start=1)]
            result = import_records(conn, tenant_id, SPECS[kind], records, True)
            if result.rejected:
                raise AssertionError(f"{kind}: {result.rejections[:3]}")
    types = {"occurred_at": pl.Datetime("us", "UTC"), "revenue": pl.Float64}
    frame = pl.DataFrame(journeys(rng), schema={c: types.get(c, pl.String) for c in LOADED_COLUMNS})
    with db.connect("transformer") as conn:
        copy_events(conn, tenant_id, frame.with_columns(source=pl.lit("test"), currency=pl.lit("USD")))
        conn.commit()


def build() -> None:
    done = dbt_env.run_dbt("build", "--exclude", "resource_type:unit_test")
    if done.returncode != 0:
        raise AssertionError(done.stdout[-4000:])
