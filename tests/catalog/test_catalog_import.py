"""`earmark catalog import`: every row inserted, updated, unchanged or rejected with its reason."""

from __future__ import annotations

import json

import pytest
from catalog_files import CATALOG, import_catalog, write_csv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from earmark import db
from earmark.catalog.entities import normalise_code, normalise_url
from earmark.catalog.importer import CatalogFileError, import_file


def _rows(tenant_id, table: str, order: str) -> list[tuple]:
    with db.connect("api") as conn, db.tenant_transaction(conn, tenant_id):
        return conn.execute(f"select * from catalog.{table} order by {order}").fetchall()


def test_a_catalog_imports_and_a_second_import_changes_nothing(make_tenant, tmp_path):
    tenant = make_tenant()
    first = import_catalog(tenant.id, tmp_path)
    assert {kind: (r["rows"], r["inserted"], r["rejected"]) for kind, r in first.items()} == {
        kind: (len(rows), len(rows), 0) for kind, rows in CATALOG}
    stored = {kind: _rows(tenant.id, kind, "1, 2") for kind, _ in CATALOG}

    again = import_catalog(tenant.id, tmp_path)
    assert {kind: (r["inserted"], r["updated"], r["unchanged"]) for kind, r in again.items()} == {
        kind: (0, 0, len(rows)) for kind, rows in CATALOG}
    # Not even updated_at moved: equal rows are not written.
    assert {kind: _rows(tenant.id, kind, "1, 2") for kind, _ in CATALOG} == stored

    advertiser = _rows(tenant.id, "advertisers", "1")[0]
    assert advertiser[2:6] == ("Sprocket & Pine", ["Sprocket and Pine", "Sprocket n Pine"], ["sprocket.com"],
                               "advertiser")
    assert [r[1] for r in _rows(tenant.id, "promo_codes", "1")] == ["ONE20"]
    assert [r[1] for r in _rows(tenant.id, "vanity_urls", "1")] == ["sprocket.com/one"]


def test_a_changed_row_is_updated(make_tenant, tmp_path):
    tenant = make_tenant()
    import_catalog(tenant.id, tmp_path)
    shows = [{"show_id": "s1", "title": "Show One, renamed", "hosts": "Ann|Bea"},
             {"show_id": "s4", "title": "Show Four", "hosts": ""}]
    result = import_file(tenant.id, "shows", write_csv(tmp_path / "more.csv", shows))
    counts = (result.rows, result.inserted, result.updated, result.unchanged, result.rejected)
    assert counts == (2, 1, 1, 0, 0)
    assert [r[1:3] + (r[4], r[5]) for r in _rows(tenant.id, "shows", "show_id")] == [
        ("s1", "Show One, renamed", None, ["Ann", "Bea"]), ("s2", "Show Two", None, []),
        ("s3", "Show Three", None, []), ("s4", "Show Four", None, [])]


PLACEMENT = {"placement_id": "x", "campaign_id": "c1", "show_id": "s1", "episode_id": "", "slot": "mid",
             "kind": "host_read", "pricing": "cpm", "rate": "20", "starts_on": "", "ends_on": ""}


@pytest.mark.parametrize(("kind", "row", "reason"), [
    ("placements", {"show_id": "nope"}, "unknown show 'nope'; import the shows first"),
    ("placements", {"campaign_id": "c9"}, "unknown campaign 'c9'; import the campaigns first"),
    ("placements", {"starts_on": "2026-09-05", "ends_on": "2026-09-04"},
     "ends_on 2026-09-04 is before starts_on 2026-09-05"),
    ("placements", {"rate": "-1.5"}, "rate -1.5 is negative; it must be zero or more"),
    ("placements", {"pricing": "cpc"}, "unknown pricing model 'cpc'; use 'cpm', 'flat' or 'cpa'"),
    ("placements", {"slot": "middle"}, "unknown slot 'middle'; use 'pre', 'mid' or 'post'"),
    ("placements", {"rate": "lots"}, "rate: Input should be a valid decimal"),
    ("placements", {"episode_id": "e1", "show_id": "s2"},
     "episode 'e1' is an episode of show 's1', not of show 's2'"),
    ("placements", {"slot": ""}, "missing slot"),
    ("ad_slots", {"start_byte": "999000", "end_byte": "1000000"},
     "the byte range 999000-1000000 is outside the file of episode 'e1' (1000000 bytes, so the last byte "
     "is 999999)"),
    ("ad_slots", {"start_byte": "500", "end_byte": "400"}, "end_byte 400 is before start_byte 500"),
    ("campaigns", {"starts_on": "2026-10-01", "ends_on": "2026-09-01"},
     "ends_on 2026-09-01 is before starts_on 2026-10-01"),
    ("campaigns", {"currency": "dollars"}, "currency: 'dollars' is not a 3-letter ISO 4217 currency code"),
    ("episodes", {"show_id": "s9"}, "unknown show 's9'; import the shows first"),
    ("deliveries", {"impressions": "-3"}, "impressions -3 is negative; it must be zero or more"),
    ("deliveries", {"placement_id": "p_gone"}, "unknown placement 'p_gone'; import the placements first"),
])
def test_every_rejection_has_its_row_and_reason(make_tenant, tmp_path, kind, row, reason):
    tenant = make_tenant()
    import_catalog(tenant.id, tmp_path)
    base = {"placements": PLACEMENT,
            "ad_slots": {"ad_id": "a9", "episode_id": "e1", "kind": "dai", "start_byte": "0", "end_byte": "9",
                         "placement_id": ""},
            "campaigns": {"campaign_id": "c9", "advertiser_id": "adv1", "name": "Winter",
                          "starts_on": "2026-12-01", "ends_on": "2026-12-31", "currency": "USD",
                          "budget": ""},
            "episodes": {"episode_id": "e9", "show_id": "s1", "published_at": "", "bytes_total": "",
                         "duration_s": "", "id3_bytes": ""},
            "deliveries": {"placement_id": "p_cpm", "day": "2026-09-03", "impressions": "10"}}[kind]
    good = dict(base)
    bad = {**base, **row}
    if kind in ("placements", "ad_slots", "campaigns", "episodes"):
        key = {"placements": "placement_id", "ad_slots": "ad_id", "campaigns": "campaign_id",
               "episodes": "episode_id"}[kind]
        bad[key] = bad[key] + "-bad"
    else:
        good["day"] = "2026-09-04"
    path = write_csv(tmp_path / "mixed.csv", [good, bad])
    before = _rows(tenant.id, kind, "1, 2")
    result = import_file(tenant.id, kind, path)
    assert (result.rows, result.inserted, result.rejected) == (2, 1, 1)
    assert result.rejections == [{"row": 2, "reason": reason}]
    assert len(_rows(tenant.id, kind, "1, 2")) == len(before) + 1


def test_a_key_repeated_in_a_file_is_rejected_after_its_first_row(make_tenant, tmp_path):
    tenant = make_tenant()
    rows = [{"show_id": "s1", "title": "One"}, {"show_id": "s2", "title": "Two"},
            {"show_id": "s1", "title": "Again"}]
    result = import_file(tenant.id, "shows", write_csv(tmp_path / "shows.csv", rows))
    assert result.rejections == [{"row": 3, "reason": "repeats the show_id of row 1"}]
    assert [r[2] for r in _rows(tenant.id, "shows", "show_id")] == ["One", "Two"]


def test_json_lines_take_json_values_and_report_malformed_lines(make_tenant, tmp_path):
    tenant = make_tenant()
    path = tmp_path / "shows.jsonl"
    path.write_text("\n".join([
        json.dumps({"show_id": "j1", "title": "Jay", "hosts": ["Ann", "Bo"]}),
        "{not json",
        json.dumps(["a list"]),
        json.dumps({"show_id": "j2", "title": 7}),
    ]) + "\n")
    result = import_file(tenant.id, "shows", path)
    assert (result.rows, result.inserted, result.rejected) == (4, 1, 3)
    assert [r["row"] for r in result.rejections] == [2, 3, 4]
    assert result.rejections[0]["reason"].startswith("not valid JSON")
    assert result.rejections[1]["reason"] == "not a JSON object"
    assert result.rejections[2]["reason"] == "title: Input should be a valid string"
    assert _rows(tenant.id, "shows", "1")[0][5] == ["Ann", "Bo"]


def test_a_misspelt_column_refuses_the_whole_file_and_changes_nothing(make_tenant, tmp_path):
    tenant = make_tenant()
    path = write_csv(tmp_path / "shows.csv", [{"show_id": "s1", "titel": "One"}])
    with pytest.raises(CatalogFileError, match="has the column titel, which shows do not have; their columns "
                                               "are show_id, title, feed_url, network, hosts"):
        import_file(tenant.id, "shows", path)
    assert _rows(tenant.id, "shows", "1") == []


@pytest.mark.parametrize("value", ["Sprocket-20", " one 20 ", "ÀB-ç9", "already10", "--", "a_b"])
def test_codes_are_normalised_alike_in_python_and_in_postgres(owner_conn, value):
    assert owner_conn.execute("select coalesce(catalog.normalise_code(%s), '')", [value]).fetchone()[0] == (
        normalise_code(value))


@pytest.mark.parametrize("value", ["https://www.Brand.com/Show/?utm=x", "brand.com/show", "HTTP://WWW.x.io//",
                                   "www.a.b/c#frag", "ftp+x://host/path///", "  Brand.COM/Show  "])
def test_urls_are_normalised_alike_in_python_and_in_postgres(owner_conn, value):
    assert owner_conn.execute("select coalesce(catalog.normalise_url(%s), '')", [value]).fetchone()[0] == (
        normalise_url(value))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# Any text Postgres can hold (no NUL, no lone surrogate), weighted towards what URLs and codes are made of.
@given(st.text(alphabet=st.sampled_from(list("aZ09 ./:?#-_wW\t\nÀé"))
               | st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=40))
def test_python_and_postgres_normalise_any_text_alike_and_once(owner_conn, value):
    code, url = owner_conn.execute("select coalesce(catalog.normalise_code(%s), ''), "
                                   "coalesce(catalog.normalise_url(%s), '')", [value, value]).fetchone()
    assert (code, url) == (normalise_code(value), normalise_url(value))
    assert (normalise_code(code), normalise_url(url)) == (code, url)


def test_a_placement_flight_inverted_by_its_campaign_dates_is_rejected(make_tenant, tmp_path):
    tenant = make_tenant()
    import_catalog(tenant.id, tmp_path)
    # c1 runs 2026-09-01..2026-09-10: a placement that only ends, on 2026-08-31, ends before it starts.
    row = {**PLACEMENT, "placement_id": "early", "ends_on": "2026-08-31"}
    result = import_file(tenant.id, "placements", write_csv(tmp_path / "early.csv", [row]))
    assert result.rejections == [{"row": 1, "reason": "the flight ends on 2026-08-31, before it starts on "
                                                      "2026-09-01 (dates left empty are the campaign's)"}]
