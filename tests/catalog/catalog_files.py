"""A small catalog whose spend, CPA and ROAS are worked out by hand (tests/catalog/test_economics.py),
written as the CSV files a tenant would import."""

from __future__ import annotations

import csv
from pathlib import Path

from earmark.catalog.importer import import_file

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
