"""Request logs through the database: accounting, idempotency, what is stored of an address, and counting
day by day (late files, a list change) giving exactly what one count of everything gives in memory."""

from __future__ import annotations

from datetime import date

import pytest
from logs import ad, episode, row, ts
from stored import (
    add_catalog,
    offline_ads,
    offline_downloads,
    offline_outcomes,
    stored_ads,
    stored_downloads,
    stored_outcomes,
    write_log,
)

from earmark import db
from earmark.downloads import addresses, counted, ingest
from earmark.downloads.lists import store
from earmark.downloads.lists.parse import ListError, default_texts
from earmark.downloads.offline import count_rows

UA2 = "Overcast/3.0 (+http://overcast.fm/; iOS podcast app)"
UA3 = "Spotify/8.9.0 Android/34 (SM-S918B)"
UA5 = "PocketCasts/7.70 (Android 14)"
EPISODES = [episode()]  # 1,000,000 bytes, 600 s: T = 100,000 bytes
# a2's portion: quarter 3, [500,000, 750,000)
ADS = [ad("a1", "dai", 0, 999), ad("a2", "baked", 600_000, 600_100)]

# Monday 2026-11-02 to Wednesday 2026-11-04. Listener 1 is the IAB worked example; listener 2 reaches T only
# across midnight (rolling counts it on Tuesday, fixed never); the bot and the HEAD never count.
FILE_A = [
    row("r1", ts("2026-11-02", "22:00")),
    row("r2", ts("2026-11-03", "03:00")),
    row("r3", ts("2026-11-03", "22:15")),
    row("r4", ts("2026-11-04", "23:15")),
    row("p1", ts("2026-11-02", "23:30"), ua=UA2, range="bytes=0-49999", status=206, sent=50_000),
    row("p2", ts("2026-11-03", "00:30"), ua=UA2, range="bytes=50000-99999", status=206, sent=50_000),
    row("b1", ts("2026-11-03", "09:00"), ua="Googlebot/2.1"),
    row("h1", ts("2026-11-03", "09:01"), method="HEAD", ua="Googlebot/2.1"),
    row("x1", "yesterday", ua=UA3),                              # row 9: unreadable time
    row("x2", ts("2026-11-03", "10:00"), range="bytes=9-3"),     # row 10: a range that ends before it starts
    row("r1", ts("2026-11-02", "22:00")),                        # the same request again: a duplicate
    # Listener 5, a chain of full downloads just under 24 h apart: s2 opens a rolling download, s3 is its
    # duplicate, s4 opens the next one.
    row("s2", ts("2026-11-04", "22:00"), ua=UA5),
    row("s3", ts("2026-11-05", "21:00"), ua=UA5),
    row("s4", ts("2026-11-06", "20:00"), ua=UA5),
]
# A late file for Tuesday: a new listener, listener 2 again (its bytes were already used on Tuesday), and
# a request the first file already held.
FILE_B = [
    row("q1", ts("2026-11-03", "12:00"), ip="2001:db8:7:1:a::1", ua=UA3),
    row("q2", ts("2026-11-03", "13:00"), ip="2001:db8:7:1:b::2", ua=UA3),  # same /64 and UA: one listener
    row("p3", ts("2026-11-03", "20:00"), ua=UA2, range="bytes=0-", status=206, sent=1_000_000),
    row("r2", ts("2026-11-03", "03:00")),
    # Late for Tuesday night, it opens listener 5's first download: s2 becomes its duplicate, s3 opens one and
    # s4 is that one's duplicate. The file touches only Tuesday; the change runs on to Friday.
    row("s1", ts("2026-11-03", "23:00"), ua=UA5),
]


@pytest.fixture
def catalogued(make_tenant):
    tenant = make_tenant()
    add_catalog(tenant.id, EPISODES, ADS)
    return tenant


def _count_stale() -> None:
    with db.connect("transformer") as conn:
        window = counted.stale_range(conn)
    assert window is not None
    counted.count_days(*window)


def _assert_matches_memory(tenant_id, rows: list[dict], **lists) -> None:
    memory, _ = count_rows(rows, EPISODES, ADS, **lists)
    assert stored_outcomes(tenant_id) == offline_outcomes(memory)
    assert stored_downloads(tenant_id) == offline_downloads(memory)
    assert stored_ads(tenant_id) == offline_ads(memory)


def test_every_row_is_accounted_for_and_a_reload_changes_nothing(catalogued, tmp_path):
    path = write_log(tmp_path / "a.csv", FILE_A)
    first = ingest.ingest_file(catalogued.id, path)
    assert first.counts() == {"rows": 14, "loaded": 11, "duplicates": 1, "rejected": 2}
    assert (first.first_day, first.last_day) == ("2026-11-02", "2026-11-06")
    again = ingest.ingest_file(catalogued.id, path)
    assert again.counts() == {"rows": 14, "loaded": 0, "duplicates": 12, "rejected": 2}
    with db.connect("transformer") as conn:
        rejected = conn.execute("select row_number, reason from downloads.rejected_requests "
                                "where tenant_id = %s and batch_id = %s order by 1",
                                [catalogued.id, first.batch_id]).fetchall()
        loaded = conn.execute("select count(*) from downloads.requests where tenant_id = %s",
                              [catalogued.id]).fetchone()[0]
    assert rejected == [(9, "ts yesterday is not a UTC time like 2026-11-02T22:00:00.000Z"),
                        (10, "range bytes=9-3 is not bytes=a-b, bytes=a- or bytes=-n")]
    assert loaded == 11


def test_an_address_is_stored_only_as_keyed_hashes_and_sealed(catalogued, tmp_path):
    ingest.ingest_file(catalogued.id, write_log(tmp_path / "b.csv", FILE_B))
    with db.connect("owner") as conn:
        dumped = conn.execute(
            "select string_agg(t::text, ' ') "
            "from (select * from downloads.requests where tenant_id = %(t)s) t "
            "union all select string_agg(a::text, ' ') from downloads.addresses a where tenant_id = %(t)s "
            "union all select string_agg(s::text, ' ') from downloads.strings s where tenant_id = %(t)s",
            {"t": catalogued.id}).fetchall()
        sealed = conn.execute("select address_id, ip_key, sealed from downloads.addresses "
                              "where tenant_id = %s", [catalogued.id]).fetchall()
    text = " ".join(d[0] or "" for d in dumped)
    for address in ("2001:db8:7:1:a::1", "2001:db8:7:1:b::2", "198.51.100.7", "2001:db8:7:1::"):
        assert address not in text
    keys = addresses.AddressKeys.from_settings()
    opened = {keys.open(catalogued.id, aid, bytes(blob)) for aid, _, blob in sealed}
    assert opened == {"2001:db8:7:1:a::1", "2001:db8:7:1:b::2", "198.51.100.7"}
    # both privacy addresses of one /64 share one listener key
    assert len({key for _, key, _ in sealed}) == 2
    with pytest.raises(Exception):  # sealed for this tenant and row: it opens nowhere else  # noqa: B017
        keys.open(catalogued.id, sealed[0][0] ^ 1, bytes(sealed[0][2]))


def test_counting_day_by_day_with_a_late_file_equals_one_count_of_everything(catalogued, tmp_path):
    ingest.ingest_file(catalogued.id, write_log(tmp_path / "a.csv", FILE_A))
    _count_stale()
    _assert_matches_memory(catalogued.id, FILE_A)
    outcomes = stored_outcomes(catalogued.id)
    assert outcomes["r2"] == ("counted", "r2", "duplicate_in_window", "r1")
    assert outcomes["p1"] == ("below_threshold", None, "counted", "p2")  # rolling: Tuesday's download
    assert outcomes["h1"][0] == "not_get" and outcomes["b1"][0] == "bot_ua"
    assert [outcomes[r][2:] for r in ("s2", "s3", "s4")] == [
        ("counted", "s2"), ("duplicate_in_window", "s2"), ("counted", "s4")]

    ingest.ingest_file(catalogued.id, write_log(tmp_path / "late.csv", FILE_B))
    with db.connect("transformer") as conn:
        assert counted.stale_range(conn) == (date(2026, 11, 3), date(2026, 11, 4))
    _count_stale()
    _assert_matches_memory(catalogued.id, FILE_A + FILE_B)
    outcomes = stored_outcomes(catalogued.id)
    assert [outcomes[r][2:] for r in ("s1", "s2", "s3", "s4")] == [
        ("counted", "s1"), ("duplicate_in_window", "s1"), ("counted", "s3"), ("duplicate_in_window", "s3")]
    with db.connect("transformer") as conn:
        days = conn.execute("select day::text, requests from downloads.counted_days where tenant_id = %s "
                            "order by 1", [catalogued.id]).fetchall()
    assert days == [("2026-11-02", 2), ("2026-11-03", 9), ("2026-11-04", 2), ("2026-11-05", 1),
                    ("2026-11-06", 1)]
    # Counting Tuesday again alone (from Monday's stored hand-over) changes nothing.
    counted.count_days(date(2026, 11, 3), date(2026, 11, 3))
    _assert_matches_memory(catalogued.id, FILE_A + FILE_B)


@pytest.fixture
def default_lists_after(tmp_path):
    yield
    bots, cidrs = default_texts()
    (tmp_path / "bots.tsv").write_text(bots)
    (tmp_path / "cidrs.txt").write_text(cidrs)
    with db.connect("transformer") as conn:
        store.import_lists(conn, tmp_path / "bots.tsv", tmp_path / "cidrs.txt")


def test_a_new_list_version_recounts_every_day_as_a_fresh_count_would(catalogued, tmp_path,
                                                                       default_lists_after):
    rows = FILE_A + FILE_B
    ingest.ingest_file(catalogued.id, write_log(tmp_path / "all.csv", rows))
    _count_stale()
    bots = "contains\tovercast\tlisted for this test\nempty\t\tno user agent\n"
    cidrs = "2001:db8:7::/48\n"
    (tmp_path / "bots.tsv").write_text(bots)
    (tmp_path / "cidrs.txt").write_text(cidrs)
    with db.connect("transformer") as conn:
        before = store.active(conn).version
        active = store.import_lists(conn, tmp_path / "bots.tsv", tmp_path / "cidrs.txt")
        assert active.version == before + 1 and active.bots_source.endswith("bots.tsv")
        assert counted.stale_range(conn)[0] <= date(2026, 11, 2)
    _count_stale()
    _assert_matches_memory(catalogued.id, rows, bots=bots, cidrs=cidrs)
    outcomes = stored_outcomes(catalogued.id)
    assert outcomes["p1"][0] == outcomes["p3"][0] == "bot_ua"
    assert outcomes["q1"][0] == "datacenter_ip"  # decided again from the sealed address


def test_a_malformed_list_changes_nothing(tmp_path):
    (tmp_path / "bots.tsv").write_text("contains\tbot\tok\nregex\t.*\tnot a match kind\n")
    (tmp_path / "cidrs.txt").write_text("10.0.0.0/8\n")
    with db.connect("transformer") as conn:
        before = store.active(conn).version
        with pytest.raises(ListError,
                           match="bots.tsv line 2: match 'regex' is not one of empty, contains, exact"):
            store.import_lists(conn, tmp_path / "bots.tsv", tmp_path / "cidrs.txt")
        (tmp_path / "bots.tsv").write_text("contains\tbot\tok\n")
        (tmp_path / "cidrs.txt").write_text("# ok\n10.0.0.0/8\n10.0.0.300/24\n")
        with pytest.raises(ListError, match="cidrs.txt line 3"):
            store.import_lists(conn, tmp_path / "bots.tsv", tmp_path / "cidrs.txt")
        assert store.active(conn).version == before
