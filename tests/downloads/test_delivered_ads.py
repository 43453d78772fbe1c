"""downloads.delivered_ads: which ads each counted download delivered, per window mode, written with the
counts and replaced with them; for every (day, mode, ad) its rows are exactly ad_deliveries' impressions."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from logs import UA, ad, episode, row, ts
from stored import add_catalog, offline_ads, stored_ads, write_log

from earmark import db
from earmark.downloads import counted, ingest
from earmark.downloads.offline import count_rows

UA2 = "Overcast/3.0 (+http://overcast.fm/; iOS podcast app)"
UA3 = "Spotify/8.9.0 Android/34 (SM-S918B)"
UA5 = "PocketCasts/7.70 (Android 14)"
MON, TUE = "2026-10-19", "2026-10-20"
EPISODES = [episode()]  # 1,000,000 bytes, 600 s, no ID3 tag: T = 100,000 bytes; quarters of 250,000 bytes
# host's portion is its whole quarter 2, [250,000, 500,000)
ADS = [ad("pre", "dai", 0, 999), ad("mid", "dai", 600_000, 600_999), ad("host", "baked", 300_000, 300_100)]


def ranged(request_id: str, when: str, ip: str, first: int, last: int, **kw) -> dict:
    return row(request_id, when, ip=ip, range=f"bytes={first}-{last}", status=206, sent=last - first + 1,
               **kw)


LOG = [
    ranged("pre_only", ts(MON, "08:00"), "192.0.2.11", 0, 199_999),          # the pre-roll, not the mid-roll
    ranged("pre_host", ts(MON, "09:00"), "192.0.2.12", 0, 499_999),          # the pre-roll and quarter 2
    ranged("host_only", ts(MON, "10:00"), "192.0.2.13", 200_000, 549_999),   # quarter 2 wholly: the baked ad
    ranged("part_q2", ts(MON, "11:00"), "192.0.2.14", 300_000, 449_999),     # baked bytes, not the quarter
    row("all", ts(MON, "12:00"), ip="192.0.2.15"),                           # the whole file: all three
    # Two halves of T across midnight: rolling counts one download on Tuesday (with the pre-roll), fixed none.
    ranged("late_a", ts(MON, "23:30"), "192.0.2.16", 0, 49_999, ua=UA2),
    ranged("late_b", ts(TUE, "00:30"), "192.0.2.16", 50_000, 99_999, ua=UA2),
]
EXPECTED = {
    (MON, "pre_only", "pre"),
    (MON, "pre_host", "pre"), (MON, "pre_host", "host"),
    (MON, "host_only", "host"),
    (MON, "all", "pre"), (MON, "all", "mid"), (MON, "all", "host"),
}


def stored_delivered(tenant_id) -> list[tuple]:
    """Every row of the tenant's delivered_ads: (mode, day, download_id, ad_id), duplicates kept."""
    with db.connect("transformer") as conn:
        return conn.execute("select mode, day::text, download_id, ad_id from downloads.delivered_ads "
                            "where tenant_id = %s order by 1, 2, 3, 4", [tenant_id]).fetchall()


def assert_consistent(tenant_id) -> None:
    """Rows per (day, mode, ad) equal ad_deliveries' impressions, over the same keys; rows per download equal
    its ads_delivered, and every row belongs to a counted download of its day and mode."""
    with db.connect("transformer") as conn:
        mismatched = conn.execute(
            "select * from (select day, mode, ad_id, count(*) as n from downloads.delivered_ads "
            "               where tenant_id = %(t)s group by 1, 2, 3) as d "
            "full join (select day, mode, ad_id, impressions from downloads.ad_deliveries "
            "           where tenant_id = %(t)s) as a using (day, mode, ad_id) "
            "where d.n is distinct from a.impressions", {"t": tenant_id}).fetchall()
        per_download = conn.execute(
            "select * from (select day, mode, download_id, count(*) as n from downloads.delivered_ads "
            "               where tenant_id = %(t)s group by 1, 2, 3) as d "
            "full join (select day, mode, download_id, ads_delivered from downloads.downloads "
            "           where tenant_id = %(t)s and ads_delivered > 0) as w using (day, mode, download_id) "
            "where d.n is distinct from w.ads_delivered", {"t": tenant_id}).fetchall()
    assert mismatched == []
    assert per_download == []


@pytest.fixture
def catalogued(make_tenant):
    tenant = make_tenant()
    add_catalog(tenant.id, EPISODES, ADS)
    return tenant


def test_each_download_lists_the_ads_it_delivered_in_both_modes(catalogued, tmp_path):
    ingest.ingest_file(catalogued.id, write_log(tmp_path / "log.csv", LOG))
    counted.count_days(date(2026, 10, 19), date(2026, 10, 20))
    rows = stored_delivered(catalogued.id)
    by_mode = {mode: {r[1:] for r in rows if r[0] == mode} for mode in ("fixed", "rolling")}
    assert by_mode["fixed"] == EXPECTED
    assert by_mode["rolling"] == EXPECTED | {(TUE, "late_b", "pre")}
    assert len(rows) == len(set(rows)) == 2 * len(EXPECTED) + 1
    # the pre-roll's bytes but not the mid-roll's: one row; two ads delivered: two rows
    assert [r[3] for r in rows if r[:3] == ("fixed", MON, "pre_only")] == ["pre"]
    assert sorted(r[3] for r in rows if r[:3] == ("fixed", MON, "pre_host")) == ["host", "pre"]
    assert not [r for r in rows if r[2] == "part_q2"]  # counted, but quarter 2 only in part: no baked ad
    assert_consistent(catalogued.id)
    memory, _ = count_rows(LOG, EPISODES, ADS)
    assert set(rows) == {(r["mode"], r["day"].isoformat(), r["download_id"], r["ad_id"])
                         for r in memory.ads.iter_rows(named=True)}


def test_recounting_the_same_days_replaces_the_rows(catalogued, tmp_path):
    ingest.ingest_file(catalogued.id, write_log(tmp_path / "log.csv", LOG))
    counted.count_days(date(2026, 10, 19), date(2026, 10, 20))
    once = stored_delivered(catalogued.id)
    counted.count_days(date(2026, 10, 19), date(2026, 10, 20))
    assert stored_delivered(catalogued.id) == once
    counted.count_days(date(2026, 10, 20), date(2026, 10, 20))  # Tuesday alone (Monday comes along)
    assert stored_delivered(catalogued.id) == once
    assert_consistent(catalogued.id)
    # A late request turns Tuesday's rolling download into another one: the old rows go, the new ones come.
    late = [ranged("late_c", ts(TUE, "00:10"), "192.0.2.16", 100_000, 699_999, ua=UA2)]
    ingest.ingest_file(catalogued.id, write_log(tmp_path / "late.csv", late))
    counted.count_days(date(2026, 10, 20), date(2026, 10, 20))
    again = stored_delivered(catalogued.id)
    assert len(again) == len(set(again))
    assert ("rolling", TUE, "late_b", "pre") not in again
    assert {r for r in again if r[1] == TUE} == {
        ("fixed", TUE, "late_c", "host"), ("fixed", TUE, "late_c", "mid"),
        ("rolling", TUE, "late_c", "pre"), ("rolling", TUE, "late_c", "host"),
        ("rolling", TUE, "late_c", "mid")}
    assert_consistent(catalogued.id)


# A whole log of random traffic over three days: three episodes with dai and baked ads, 40 listeners, full
# GETs, closed and open ranges, HEADs and errors, shuffled and loaded in two files (the second one late).
RANDOM_EPISODES = [
    episode("e1"),
    episode("e2", url="https://cdn.example.com/shows/Ep2.mp3", total=2_000_000, duration=1_200),
    episode("e3", url="https://cdn.example.com/shows/Ep3.mp3", total=500_000, duration=300, show="s2"),
]
RANDOM_ADS = [
    *ADS,
    ad("pre2", "dai", 0, 1_999, "e2"), ad("post2", "dai", 1_990_000, 1_999_999, "e2"),
    ad("baked2", "baked", 1_200_000, 1_300_000, "e2"), ad("baked2b", "baked", 400_000, 600_000, "e2"),
    ad("mid3", "dai", 250_000, 250_999, "e3"),
]


def random_log(seed: int, n: int = 500) -> list[dict]:
    rng = random.Random(seed)
    agents = (UA, UA2, UA3, UA5)
    listeners = [(f"192.0.2.{100 + k}", agents[k % len(agents)]) for k in range(40)]
    start = date(2026, 10, 26)
    rows = []
    for i in range(n):
        ip, ua = rng.choice(listeners)
        ep = rng.choice(RANDOM_EPISODES)
        total, url = ep["bytes_total"], ep["enclosure_url"]
        day = (start + timedelta(days=rng.randrange(3))).isoformat()
        when = ts(day, f"{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}.000")
        shape = rng.random()
        rid = f"z{i}"
        if shape < 0.3:
            rows.append(row(rid, when, ip=ip, ua=ua, url=url, sent=total))
        elif shape < 0.75:
            first = rng.randrange(total)
            last = min(total - 1, first + rng.randrange(1, total // 2))
            rows.append(ranged(rid, when, ip, first, last, ua=ua, url=url))
        elif shape < 0.9:
            first = rng.randrange(total)
            rows.append(row(rid, when, ip=ip, ua=ua, url=url, range=f"bytes={first}-", status=206,
                            sent=total - first))
        elif shape < 0.95:
            rows.append(row(rid, when, method="HEAD", ip=ip, ua=ua, url=url, sent=0))
        else:
            rows.append(row(rid, when, ip=ip, ua=ua, url=url, status=404, sent=0))
    rng.shuffle(rows)
    return rows


def test_rows_equal_impressions_over_a_whole_shuffled_log(make_tenant, tmp_path):
    tenant = make_tenant()
    add_catalog(tenant.id, RANDOM_EPISODES, RANDOM_ADS)
    rows = random_log(17)
    for part, name in ((rows[:350], "first.csv"), (rows[350:], "late.csv")):
        ingest.ingest_file(tenant.id, write_log(tmp_path / name, part))
        with db.connect("transformer") as conn:
            window = counted.stale_range(conn)
        assert window is not None
        counted.count_days(*window)
    stored = stored_delivered(tenant.id)
    assert len(stored) == len(set(stored))
    assert {r[0] for r in stored} == {"fixed", "rolling"}
    assert len({r[3] for r in stored}) >= 6  # dai and baked ads of every episode delivered
    assert_consistent(tenant.id)
    memory, _ = count_rows(rows, RANDOM_EPISODES, RANDOM_ADS)
    assert set(stored) == {(r["mode"], r["day"].isoformat(), r["download_id"], r["ad_id"])
                           for r in memory.ads.iter_rows(named=True)}
    assert stored_ads(tenant.id) == offline_ads(memory)
