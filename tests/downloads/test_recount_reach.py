"""A count of day D also recounts D - 1: a rolling download D - 1 qualified takes D's requests within its 24 h
as duplicates, and its bytes and delivered ads with them (found by a reviewer: counting D alone left them)."""

from __future__ import annotations

from datetime import date

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

from earmark.downloads import counted, ingest
from earmark.downloads.offline import count_rows

EPISODES = [episode()]  # T = 100,000 bytes
ADS = [ad("a1", "dai", 0, 999), ad("a2", "dai", 150_000, 150_999)]
Q1 = row("q1", ts("2026-12-07", "23:00"), range="bytes=0-149999", status=206, sent=150_000)
Q2 = row("q2", ts("2026-12-08", "01:00"), range="bytes=150000-159999", status=206, sent=10_000)


def test_counting_a_day_refreshes_the_rolling_downloads_that_reach_into_it(make_tenant, tmp_path):
    tenant = make_tenant()
    add_catalog(tenant.id, EPISODES, ADS)
    ingest.ingest_file(tenant.id, write_log(tmp_path / "first.csv", [Q1]))
    counted.count_days(date(2026, 12, 7), date(2026, 12, 8))
    ingest.ingest_file(tenant.id, write_log(tmp_path / "late.csv", [Q2]))
    counted.count_days(date(2026, 12, 8), date(2026, 12, 8))  # the partition of the late request only

    rolling = {d for d in stored_downloads(tenant.id) if d[0] == "rolling"}
    # q1 qualified on the 7th; q2, two hours later, is its duplicate: 2 requests, 160,000 bytes, both ads
    assert rolling == {("rolling", "q1", "2026-12-07", "e1", 2, 160_000, 2)}
    assert stored_outcomes(tenant.id)["q2"] == ("below_threshold", None, "duplicate_in_window", "q1")
    assert ("rolling", "2026-12-07", "a2", 1) in stored_ads(tenant.id)
    memory, _ = count_rows([Q1, Q2], EPISODES, ADS)
    assert (stored_outcomes(tenant.id), stored_downloads(tenant.id), stored_ads(tenant.id)) == (
        offline_outcomes(memory), offline_downloads(memory), offline_ads(memory))
