"""What a user sees when the database dies under a command, and that nothing was half-written.

Each test kills something with SIGKILL on a private install (its own EARMARK_HOME and embedded
Postgres), never on the session's server.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import psycopg
import pytest

EARMARK = str(Path(sys.executable).with_name("earmark"))
TOTALS = """
    select model, round(sum(conversions)::numeric, 6), round(sum(revenue)::numeric, 4), count(*)
    from analytics.fct_daily_channel_credits group by model order by model
"""

pytestmark = pytest.mark.slow


def _earmark(env, *args, check=True):
    done = subprocess.run([EARMARK, *args], capture_output=True, text=True, timeout=600, env=env)
    if check:
        assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="module")
def private_install(private_home):
    from earmark.demo import generate_events, write_event_file

    with private_home("crash") as (env, home):
        tenant = json.loads(_earmark(env, "tenants", "create", "--name", "Crash Audio", "--tier",
                                     "enterprise", "--json").stdout)["id"]
        events = generate_events(40_000, seed=11, days=60, start=date(2026, 9, 1))
        path = home / "events.csv"
        write_event_file(events, path, "csv")
        url = _earmark(env, "db", "url").stdout.strip().splitlines()[-1]
        yield env, home, tenant, path, events.height, url


def _wait_for_query(url: str, pattern: str, process: subprocess.Popen, timeout: float = 120) -> None:
    """Until a backend runs a statement matching `pattern` (so the kill lands in the middle of the work)."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            assert process.poll() is None, process.communicate()
            found = conn.execute("select count(*) from pg_stat_activity where state = 'active' "
                                 "and query ilike %s and pid <> pg_backend_pid()", [pattern]).fetchone()[0]
            if found:
                return
            time.sleep(0.05)
    raise AssertionError(f"no statement like {pattern!r} within {timeout} s")


def _postmaster_pid(home: Path) -> int:
    return int((home / "pgdata" / "postmaster.pid").read_text().splitlines()[0])


def test_a_killed_ingest_leaves_raw_events_untouched(private_install):
    env, home, tenant, path, rows, url = private_install
    process = subprocess.Popen([EARMARK, "ingest", "--tenant", tenant, str(path), "--json"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # A new tenant's first load COPYs into its own new partition of raw.events (migration 0016).
    _wait_for_query(url, "%copy raw.events\\_%", process)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    with psycopg.connect(url, autocommit=True) as conn:
        # The server notices the dead client and rolls its transaction back.
        deadline = time.monotonic() + 30
        while conn.execute("select count(*) from pg_stat_activity where query ilike '%%raw.events%%' "
                           "and pid <> pg_backend_pid()").fetchone()[0] and time.monotonic() < deadline:
            time.sleep(0.1)
        conn.execute("select set_config('app.tenant_id', %s, false)", [tenant])
        assert conn.execute("select count(*) from raw.events").fetchone()[0] == 0
        assert conn.execute("select count(*) from raw.ingest_batches where status = 'succeeded'"
                            ).fetchone()[0] == 0
        # Not even the half-filled partition is left: it was created in the load's transaction.
        assert conn.execute("select to_regclass('raw.' || raw.events_partition_name(%s))", [tenant]
                            ).fetchone()[0] is None
    # And the file then loads whole, every row accounted for.
    counts = json.loads(_earmark(env, "ingest", "--tenant", tenant, str(path), "--json").stdout)
    assert (counts["rows"], counts["loaded"], counts["duplicates"], counts["rejected"]) == (rows, rows, 0, 0)


def test_a_database_killed_mid_run_is_one_sentence_and_the_next_run_recovers(private_install):
    env, home, tenant, path, rows, url = private_install
    process = subprocess.Popen([EARMARK, "run", "--full-refresh"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    _wait_for_query(url, "%fct_touch_credits%", process)
    os.kill(_postmaster_pid(home), signal.SIGKILL)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode != 0
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "The database stopped answering during `earmark run`" in lines[0]
    assert "`earmark db start`" in lines[0]
    trace = Path(lines[0].rsplit("the full trace is in ", 1)[1].rstrip("."))
    assert trace.parent == home / "logs" and "Traceback" in trace.read_text()

    _earmark(env, "db", "start")
    recovered = _earmark(env, "run")
    assert "attributed conversions" in recovered.stdout
    url = _earmark(env, "db", "url").stdout.strip().splitlines()[-1]
    with psycopg.connect(url, autocommit=True) as conn:
        after_crash = conn.execute(TOTALS).fetchall()
    _earmark(env, "run", "--full-refresh")
    with psycopg.connect(url, autocommit=True) as conn:
        clean = conn.execute(TOTALS).fetchall()
        conversions = conn.execute("select count(*) from raw.events where event_type = 'conversion'"
                                   ).fetchone()[0]
    assert after_crash == clean
    assert len(clean) == 5 and all(float(row[1]) == conversions for row in clean)
