"""The catalog as a user meets it on the command line, and events that name the catalog at ingestion."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from catalog_files import write_csv

from earmark import db
from earmark.catalog.importer import import_file
from earmark.ingest import ingest_file

EARMARK = str(Path(sys.executable).with_name("earmark"))


def earmark(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([EARMARK, *args], capture_output=True, text=True, timeout=300,
                          env=os.environ.copy())


def test_catalog_import_prints_its_accounting_and_one_sentence_on_a_bad_file(make_tenant, tmp_path):
    tenant = make_tenant()
    path = write_csv(tmp_path / "shows.csv", [{"show_id": "s1", "title": "One"},
                                              {"show_id": "", "title": "X"}])
    done = earmark("catalog", "import", "--tenant", str(tenant.id), "--kind", "shows", str(path), "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert {k: result[k] for k in ("rows", "inserted", "updated", "unchanged", "rejected")} == {
        "rows": 2, "inserted": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    assert result["rejections"] == [{"row": 2, "reason": "missing show_id"}]

    wrong = earmark("catalog", "import", "--tenant", str(tenant.id), "--kind", "episodes", str(path))
    assert wrong.returncode == 1 and wrong.stderr.count("\n") == 1, wrong.stderr
    assert "has the column title, which episodes do not have" in wrong.stderr


def test_economics_and_show_exports_write_the_api_rows(economics_tenants):
    tenant = str(economics_tenants.a.id)
    done = earmark("economics", "export", "--tenant", tenant, "--by", "show", "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = {row["show_id"]: row for row in csv.DictReader(io.StringIO(done.stdout))}
    assert list(next(iter(rows.values()))) == [
        "model", "show_id", "title", "currency", "spend", "impressions", "conversions", "revenue", "cpa",
        "roas", "cpm", "conversions_per_mille"]
    assert (rows["s1"]["spend"], rows["s1"]["roas"], rows["s3"]["cpm"]) == ("40.0", "1.25", "")
    first_touch = json.loads(earmark("economics", "export", "--tenant", tenant, "--by", "campaign",
                                     "--format", "json", "--model", "first_touch").stdout)
    c1 = next(row for row in first_touch if row["campaign_id"] == "c1")
    # first touch: u1's p_cpm touch and u3's p_cpa touch are c1's (conversions 2, $180); CPA bills $25.
    assert (c1["model"], c1["conversions"], c1["revenue"], c1["spend"]) == ("first_touch", 2.0, 180.0, 152.5)
    by_show = json.loads(earmark("attribution", "export", "--tenant", tenant, "--by", "show",
                                 "--format", "json").stdout)
    assert {r["model"] for r in by_show} == {"first_touch", "last_touch", "linear", "time_decay",
                                             "position_based"}
    assert all(abs(sum(r["conversions"] for r in by_show if r["model"] == m) - 4) < 1e-9
               for m in {r["model"] for r in by_show})


def test_ingestion_links_known_codes_and_urls_and_keeps_unknown_ids(make_tenant, tmp_path):
    tenant = make_tenant()
    for kind, rows in (
        ("advertisers", [{"advertiser_id": "a", "name": "A"}]),
        ("shows", [{"show_id": "s1", "title": "One"}]),
        ("campaigns", [{"campaign_id": "c1", "advertiser_id": "a", "name": "C", "starts_on": "2026-09-01",
                        "ends_on": "2026-09-30", "currency": "USD"}]),
        ("promo_codes", [{"code": "ONE20", "campaign_id": "c1", "show_id": "s1"}]),
        ("vanity_urls", [{"url": "a.com/one", "campaign_id": "c1"}]),
    ):
        import_file(tenant.id, kind, write_csv(tmp_path / f"{kind}.csv", rows))
    events = tmp_path / "events.csv"
    events.write_text(
        "event_id,user_id,occurred_at,event_type,channel,source,promo_code,vanity_url,show_id,placement_id\n"
        "t1,u1,2026-09-02T10:00:00Z,touchpoint,podcast,promo_code,one-20,,,\n"
        "t2,u1,2026-09-02T11:00:00Z,touchpoint,podcast,vanity_url,,HTTPS://www.A.com/One/?utm_source=pod,,\n"
        "t3,u1,2026-09-02T12:00:00Z,touchpoint,podcast,promo_code,NOPE,,,\n"
        "t4,u1,2026-09-02T13:00:00Z,touchpoint,podcast,podcast_impression,,,ghost,plc-unknown\n")
    result = ingest_file(tenant.id, events)
    assert (result.rows, result.loaded, result.rejected) == (4, 4, 0)
    with db.connect("transformer") as conn:
        stored = conn.execute("select event_id, campaign_id, show_id, placement_id, promo_code, vanity_url "
                              "from raw.events where tenant_id = %s order by 1", [tenant.id]).fetchall()
    assert stored == [
        ("t1", "c1", "s1", None, "ONE20", None),
        ("t2", "c1", None, None, None, "a.com/one"),
        ("t3", None, None, None, "NOPE", None),
        ("t4", None, "ghost", "plc-unknown", None, None),
    ]
