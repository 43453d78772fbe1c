"""A small catalog whose spend, CPA and ROAS are worked out by hand (tests/catalog/test_economics.py),
written as the CSV files a tenant would import, the journeys that earn its credit, and a dbt build."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import polars as pl

from earmark import db, tenancy
from earmark.attribution import dbt_env
from earmark.attribution.synthetic import copy_events
from earmark.catalog.importer import import_file
from earmark.ingest.validate import LOADED_COLUMNS

# (kind, rows) in dependency order; empty strings are absent values.
CATALOG = (
    ("advertisers", [{"advertiser_id": "adv1", "name": "Sprocket & Pine",
                      "aliases": "Sprocket and Pine|Sprocket n Pine", "domains": "Sprocket.com"}]),
    ("shows", [{"show_id": "s1", "title": "Show One", "hosts": "Ann"},
               {"show_id": "s2", "title": "Show Two", "hosts": ""},
               {"show_id": "s3", "title": "Show Three", "hosts": ""}]),
    ("episodes", [{"episode_id": "e1", "show_id": "s1", "published_at": "2026-09-01T05:00:00Z",
                   "bytes_total": "1000000", "duration_s": "1800", "id3_bytes": "4000"}]),
    ("campaigns", [{"campaign_id": "c1", "advertiser_id": "adv1", "name": "Autumn", "starts_on": "2026-09-01",
                    "ends_on": "2026-09-10", "currency": "USD", "budget": "5000"}]),
    ("placements", [
        {"placement_id": "p_cpm", "campaign_id": "c1", "show_id": "s1", "episode_id": "e1", "slot": "mid",
         "kind": "host_read", "pricing": "cpm", "rate": "20", "starts_on": "", "ends_on": ""},
        {"placement_id": "p_flat", "campaign_id": "c1", "show_id": "s2", "episode_id": "", "slot": "pre",
         "kind": "produced", "pricing": "flat", "rate": "100", "starts_on": "2026-09-01",
         "ends_on": "2026-09-03"},
        {"placement_id": "p_cpa", "campaign_id": "c1", "show_id": "s3", "episode_id": "", "slot": "post",
         "kind": "dynamic_insert", "pricing": "cpa", "rate": "25", "starts_on": "", "ends_on": ""},
    ]),
    ("ad_slots", [{"ad_id": "a1", "episode_id": "e1", "kind": "baked", "start_byte": "4000",
                   "end_byte": "484000", "placement_id": "p_cpm"}]),
    ("promo_codes", [{"code": "one-20", "campaign_id": "c1", "show_id": "s1"}]),
    ("vanity_urls", [{"url": "https://www.Sprocket.com/One/", "campaign_id": "c1", "show_id": "s1"}]),
    ("deliveries", [{"placement_id": "p_cpm", "day": "2026-09-01", "impressions": "1500"},
                    {"placement_id": "p_cpm", "day": "2026-09-02", "impressions": "500"},
                    {"placement_id": "p_flat", "day": "2026-09-02", "impressions": "1000"}]),
)


def write_csv(path: Path, rows: list[dict]) -> Path:
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def import_catalog(tenant_id, folder: Path, catalog=CATALOG) -> dict[str, dict]:
    results = {}
    for kind, rows in catalog:
        results[kind] = import_file(tenant_id, kind, write_csv(folder / f"{kind}.csv", rows)).as_json()
    return results


HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def journeys(base) -> list[dict]:
    """Four buyers (2026-09-01 = base):
    u1: the cpm placement, then search; buys for 100 (linear: s1 0.5, (none) 0.5)
    u2: show s2 by its id; buys for 60 the next day (s2 1)
    u3: the cpa placement, then search; buys for 80 a day later (linear: s3 0.5, (none) 0.5)
    u4: a show the catalog does not know; buys for 10 ((unknown) 1)
    """
    def touch(event_id, user, at, **catalog):
        return {"event_id": event_id, "user_id": user, "occurred_at": at, "event_type": "touchpoint",
                "channel": catalog.pop("channel", "podcast"), "revenue": 0.0, **catalog}

    def conversion(event_id, user, at, revenue):
        return {"event_id": event_id, "user_id": user, "occurred_at": at, "event_type": "conversion",
                "channel": None, "revenue": revenue}

    return [
        touch("t1", "u1", base + HOUR, placement_id="p_cpm"),
        touch("t2", "u1", base + 2 * HOUR, channel="search"),
        conversion("c1", "u1", base + 3 * HOUR, 100.0),
        touch("t3", "u2", base + DAY, show_id="s2"),
        conversion("c2", "u2", base + DAY + HOUR, 60.0),
        touch("t4", "u3", base + DAY, placement_id="p_cpa"),
        touch("t5", "u3", base + DAY + HOUR, channel="search"),
        conversion("c3", "u3", base + 2 * DAY, 80.0),
        touch("t6", "u4", base + HOUR, show_id="ghost"),
        conversion("c4", "u4", base + 2 * HOUR, 10.0),
    ]


def load(tenant_id, rows: list[dict]) -> None:
    types = {"occurred_at": pl.Datetime("us", "UTC"), "revenue": pl.Float64}
    frame = pl.DataFrame(rows, schema={c: types.get(c, pl.String) for c in LOADED_COLUMNS})
    with db.connect("transformer") as conn:
        copy_events(conn, tenant_id, frame.with_columns(source=pl.lit("test"), currency=pl.lit("USD")))
        conn.commit()


@dataclass(frozen=True)
class EconomicsTenants:
    a: tenancy.Tenant  # the hand-worked tenant
    b: tenancy.Tenant  # the same ids, its own rates and no events


def build() -> None:
    done = dbt_env.run_dbt("build", "--exclude", "resource_type:unit_test")
    assert done.returncode == 0, done.stdout[-4000:]
