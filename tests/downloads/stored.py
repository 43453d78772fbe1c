"""Request logs written to files and loaded into the test database, and what counting stored, read back."""

from __future__ import annotations

import csv
from pathlib import Path

from earmark import db
from earmark.downloads import reasons
from earmark.downloads.reader import COLUMNS


def write_log(path: Path, rows: list[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def add_catalog(tenant_id, episodes: list[dict], ad_slots: list[dict] = ()) -> None:
    with db.connect("owner") as conn:
        for show in sorted({e["show_id"] for e in episodes}):
            conn.execute("insert into catalog.shows (tenant_id, show_id, title) values (%s, %s, %s)",
                         [tenant_id, show, f"Show {show}"])
        for e in episodes:
            conn.execute("insert into catalog.episodes (tenant_id, episode_id, show_id, enclosure_url, "
                         "bytes_total, duration_s, id3_bytes) values (%s, %s, %s, %s, %s, %s, %s)",
                         [tenant_id, e["episode_id"], e["show_id"], e["enclosure_url"], e["bytes_total"],
                          e["duration_s"], e["id3_bytes"]])
        for a in ad_slots:
            conn.execute("insert into catalog.ad_slots (tenant_id, ad_id, episode_id, kind, start_byte, "
                         "end_byte, placement_id) values (%s, %s, %s, %s, %s, %s, %s)",
                         [tenant_id, a["ad_id"], a["episode_id"], a["kind"], a["start_byte"], a["end_byte"],
                          a.get("placement_id")])


def stored_outcomes(tenant_id) -> dict[str, tuple]:
    """request_id -> (fixed reason, fixed download, rolling reason, rolling download), reasons by name."""
    with db.connect("transformer") as conn:
        rows = conn.execute("select request_id, fixed_reason, fixed_download, rolling_reason, "
                            "rolling_download from downloads.request_outcomes where tenant_id = %s",
                            [tenant_id]).fetchall()
    return {r[0]: (name(r[1]), r[2], name(r[3]), r[4]) for r in rows}


def stored_downloads(tenant_id) -> set[tuple]:
    with db.connect("transformer") as conn:
        rows = conn.execute("select mode, download_id, day::text, episode_id, requests, bytes, ads_delivered "
                            "from downloads.downloads where tenant_id = %s", [tenant_id]).fetchall()
    return set(rows)


def stored_ads(tenant_id) -> set[tuple]:
    with db.connect("transformer") as conn:
        return set(conn.execute("select mode, day::text, ad_id, impressions from downloads.ad_deliveries "
                                "where tenant_id = %s", [tenant_id]).fetchall())


def name(code: int) -> str:
    return "counted" if code == reasons.COUNTED else reasons.NAMES[code]


def offline_outcomes(counted) -> dict[str, tuple]:
    return {r["request_id"]: (name(r["fixed_reason"]), r["fixed_download"], name(r["rolling_reason"]),
                              r["rolling_download"]) for r in counted.outcomes.iter_rows(named=True)}


def offline_downloads(counted) -> set[tuple]:
    return {(r["mode"], r["download_id"], r["day"].isoformat(), r["episode_id"], r["requests"], r["bytes"],
             r["ads_delivered"]) for r in counted.downloads.iter_rows(named=True)}


def offline_ads(counted) -> set[tuple]:
    found = counted.ads.group_by("mode", "day", "ad_id").len("impressions")
    return {(r["mode"], r["day"].isoformat(), r["ad_id"], r["impressions"])
            for r in found.iter_rows(named=True)}
