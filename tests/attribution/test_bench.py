"""`earmark bench attribution --events FILE` takes any file `earmark ingest` takes, and loads it the same
way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from earmark.attribution.synthetic import generate_journeys
from earmark.demo.files import OCCURRED_AT_FORMAT

EARMARK = str(Path(sys.executable).with_name("earmark"))


@pytest.mark.slow
def test_the_benchmark_takes_a_csv_with_only_the_required_columns(tmp_path, private_home):
    """On an install of its own, as the benchmark asks: `earmark run` works on every tenant of its home."""
    frame = generate_journeys(300, seed=41, days=10)
    path = tmp_path / "minimal.csv"
    # The five required columns only: no campaign, revenue, source or currency (the reported failure).
    frame.select("event_id", "user_id", "occurred_at", "event_type", "channel").with_columns(
        frame["occurred_at"].dt.strftime(OCCURRED_AT_FORMAT)).write_csv(path)
    with private_home("bench") as (env, _home):
        done = subprocess.run([EARMARK, "bench", "attribution", "--events", str(path), "--rounds", "1",
                               "--json"], capture_output=True, text=True, timeout=600, env=env)
        assert done.returncode == 0, done.stderr
        result = json.loads(done.stdout)
        url = subprocess.run([EARMARK, "db", "url"], capture_output=True, text=True, env=env,
                             check=True).stdout.strip().splitlines()[-1]
        # Loaded through ingestion: the batches are recorded and balance, as a user's files do.
        with psycopg.connect(url) as conn:
            batches = conn.execute("select count(*), sum(loaded), sum(rejected) from raw.ingest_batches "
                                   "where tenant_id = %s and status = 'succeeded'",
                                   [result["tenant_id"]]).fetchone()
    assert batches == (2, frame.height, 0)
    assert result["events"] + result["incremental_events"] == frame.height
    assert result["incremental_events"] > 0
    # Each figure beside its peer: the peer credited the same conversions, Earmark's run recorded its models.
    full, day = result["full_refresh"][0], result["incremental"][0]
    assert full["peer_s"] > 0 and full["model_s"] > 0 and full["wall_s"] > full["model_s"]
    assert full["sort_floor_s"] > 0 and day["model_s"] > 0 and day["ingest_s"] > 0
    # dbt's own run (the attribution step) sits inside the command's wall time; the rest is orchestration.
    assert 0 < full["dbt_s"] < full["wall_s"] and 0 < day["dbt_s"] + day["ingest_s"] < day["wall_s"]
    outside = 1 - (full["dbt_s"] + full["ingest_s"]) / full["wall_s"]
    assert abs(full["outside_dbt_and_ingest"] - outside) < 0.002
    assert len(full["load_average"]) == 3 and result["machine"]["cores"] == os.cpu_count()


def test_the_peer_credits_the_same_paths_as_earmark_on_a_hand_worked_example():
    import polars as pl

    from earmark.attribution.peer import run_peer

    def at(day: int, hour: int) -> datetime:
        return datetime(2026, 3, day, hour, tzinfo=UTC)

    # u1: podcast, search, then a conversion; u2: email, a conversion, then a touch that converts nothing;
    # u3: a conversion with no touch before it (nothing to credit, in the peer as in Earmark's touches).
    frame = pl.DataFrame({
        "user_id": ["u1", "u1", "u1", "u2", "u2", "u2", "u3"],
        "occurred_at": [at(1, 9), at(2, 9), at(2, 10), at(1, 8), at(3, 8), at(4, 8), at(1, 12)],
        "event_type": ["touchpoint", "touchpoint", "conversion", "touchpoint", "conversion", "touchpoint",
                       "conversion"],
        "channel": ["podcast", "search", None, "email", None, "social", None],
    })
    credited = run_peer(frame)["credited"]
    assert credited["last_touch"] == {"search": 1.0, "email": 1.0}
    assert credited["first_touch"] == {"podcast": 1.0, "email": 1.0}
    assert credited["linear"] == {"podcast": 0.5, "search": 0.5, "email": 1.0}
    assert credited["position_based"] == {"podcast": 0.5, "search": 0.5, "email": 1.0}
    # time decay, half-life 7 days: podcast is 24 h older than search on the way to the conversion
    decay = credited["time_decay"]
    assert abs(decay["podcast"] - 1 / (1 + 2 ** (24 / 168))) < 1e-9 and decay["email"] == 1.0


def test_a_file_of_one_day_is_refused_in_one_sentence(tmp_path):
    path = tmp_path / "one-day.csv"
    path.write_text("event_id,user_id,occurred_at,event_type,channel\n"
                    "t1,u1,2026-03-01T10:00:00Z,touchpoint,podcast\n")
    done = subprocess.run([EARMARK, "bench", "attribution", "--events", str(path)],
                          capture_output=True, text=True, timeout=300, env=os.environ.copy())
    assert done.returncode == 1
    assert "needs events on at least 4 days" in done.stderr and done.stderr.count("\n") == 1
