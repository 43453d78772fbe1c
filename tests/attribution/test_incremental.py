"""Incremental runs: late touches recompute the conversions they can reach, a rerun changes nothing,
and a settings change recomputes the tenant."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from attribution_helpers import event, events_frame, load_events, read_mart, run_dbt

from earmark import db
from earmark.ingest.service import ingest_file

DAY = 86_400
PATHS_SQL = """
    select conversion_event_id, path, path_length from analytics.fct_conversion_paths
    where tenant_id = %s order by conversion_event_id
"""
CREDITS_SQL = """
    select conversion_event_id, touch_position, touch_event_id, linear_credit, time_decay_credit
    from analytics.fct_touch_credits where tenant_id = %s order by conversion_event_id, touch_position
"""


def paths(tenant_id) -> dict[str, tuple[str, int]]:
    return {r["conversion_event_id"]: (r["path"], r["path_length"])
            for r in read_mart(PATHS_SQL, tenant_id).iter_rows(named=True)}


@pytest.mark.slow
def test_late_touch_rerun_and_settings_change(make_tenant, set_settings):
    tenant = make_tenant()
    window = {"attribution_tenant_id": str(tenant.id),
              # an unrelated day (2026-09-06): the late touch must bring its own dates into scope
              "attribution_start_date": "2026-09-06", "attribution_end_date": "2026-09-07"}
    load_events(tenant.id, events_frame([
        event("t1", "u1", 0, channel="podcast"),
        event("c1", "u1", 2 * DAY + 36_000, "conversion", revenue=100.0),
        event("t2", "u2", 5 * DAY, channel="search"),
        event("c2", "u2", 5 * DAY + 3600, "conversion", revenue=10.0),
    ]))
    run_dbt("build", dbt_vars=window)
    assert paths(tenant.id) == {"c1": ("podcast", 1), "c2": ("search", 1)}

    # a touch for 2026-09-02 arrives after that run: c1 (2026-09-03) is within its lookback
    load_events(tenant.id, events_frame([event("t_late", "u1", DAY + 43_200, channel="promo_code")]))
    run_dbt("build", dbt_vars=window)
    assert paths(tenant.id) == {"c1": ("podcast > promo_code", 2), "c2": ("search", 1)}
    before = read_mart(CREDITS_SQL, tenant.id)
    assert before.filter(before["conversion_event_id"] == "c1")["linear_credit"].to_list() == [0.5, 0.5]

    run_dbt("build", dbt_vars=window)  # the same partition again: nothing changes
    assert read_mart(CREDITS_SQL, tenant.id).equals(before)

    # a one-day lookback drops t1 (2 days 10 h before c1) on the next run, whatever its window
    set_settings(tenant.id, lookback_days=1)
    run_dbt("build", dbt_vars=window)
    assert paths(tenant.id) == {"c1": ("promo_code", 1), "c2": ("search", 1)}


def _waiting_for(key_name: str) -> int:
    """Sessions waiting (not granted) for the advisory lock hashtextextended(key_name, 0)."""
    with db.connect("owner") as conn:
        return conn.execute(
            "select count(*) from pg_locks where locktype = 'advisory' and not granted and objsubid = 1"
            " and ((classid::bigint << 32) | objid::bigint) = hashtextextended(%s, 0)",
            [key_name],
        ).fetchone()[0]


def _until(condition, what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.2)


@pytest.mark.slow
def test_an_ingest_in_flight_when_a_run_starts_is_attributed_by_that_run(make_tenant, tmp_path):
    """The run waits for loads that began before it; else they commit under its watermark, never seen."""
    tenant = make_tenant()
    window = {"attribution_tenant_id": str(tenant.id),
              "attribution_start_date": "2026-09-01", "attribution_end_date": "2026-09-03"}
    load_events(tenant.id, events_frame([
        event("t1", "u1", 0, channel="podcast"),
        event("c1", "u1", 3600, "conversion", revenue=100.0),
    ]))
    run_dbt("build", dbt_vars=window)
    assert paths(tenant.id) == {"c1": ("podcast", 1)}

    late = tmp_path / "late.csv"
    late.write_text("event_id,user_id,occurred_at,event_type,channel,campaign_id,revenue\n"
                    "t2,u2,2026-09-02T00:00:00Z,touchpoint,search,,\n"
                    "c2,u2,2026-09-02T01:00:00Z,conversion,,,50\n")
    tenant_lock = f"ingest:{tenant.id}"
    # The holder's connection closes first on the way out, so a failed wait never leaves the threads blocked.
    with ThreadPoolExecutor(2) as threads, db.connect("transformer", autocommit=True) as holder:
        # The ingest opens its transaction, joins the barrier, then waits here for the tenant's load lock.
        holder.execute("select pg_advisory_lock(hashtextextended(%s, 0))", [tenant_lock])
        ingest = threads.submit(ingest_file, tenant.id, late)
        _until(lambda: _waiting_for(tenant_lock) == 1, "the ingest to wait for its tenant lock")
        run = threads.submit(run_dbt, "build", dbt_vars=window)  # starts while the load is in flight
        _until(lambda: _waiting_for("earmark:ingest-barrier") == 1, "the run to wait at the ingest barrier")
        holder.execute("select pg_advisory_unlock(hashtextextended(%s, 0))", [tenant_lock])
        assert ingest.result().loaded == 2
        run.result()
    assert paths(tenant.id) == {"c1": ("podcast", 1), "c2": ("search", 1)}


def _waiting_for_table(name: str) -> int:
    """Sessions waiting (not granted) for a lock on the table `name`."""
    with db.connect("owner") as conn:
        return conn.execute("select count(*) from pg_locks where locktype = 'relation' and not granted"
                            " and relation = to_regclass(%s)", [name]).fetchone()[0]


@pytest.mark.slow
def test_a_settings_change_that_commits_mid_run_is_used_by_all_of_it_or_by_the_next_run(make_tenant):
    """Every model of a run reads the same settings; else the run log could record settings the credits
    were not computed with, and the next run would see nothing to recompute."""
    tenant = make_tenant()
    window = {"attribution_tenant_id": str(tenant.id),
              "attribution_start_date": "2026-09-01", "attribution_end_date": "2026-09-04"}
    load_events(tenant.id, events_frame([
        event("t1", "u1", 0, channel="podcast"),
        event("t2", "u1", DAY + 43_200, channel="promo_code"),
        event("c1", "u1", 2 * DAY + 36_000, "conversion", revenue=100.0),
    ]))
    run_dbt("build", dbt_vars=window)
    assert paths(tenant.id) == {"c1": ("podcast > promo_code", 2)}

    between = "analytics.fct_daily_channel_credits"  # built after the credits, before the run log
    with ThreadPoolExecutor(1) as threads, db.connect("owner", autocommit=False) as blocker, \
            db.connect("owner", autocommit=False) as editor:
        # A settings edit whose transaction began before the run (its updated_at is older than the run's
        # start) and that commits while the run waits between its credits and its run log.
        editor.execute("update app.tenant_settings set lookback_days = 1, updated_at = now()"
                       " where tenant_id = %s", [tenant.id])
        blocker.execute(f"lock table {between} in access exclusive mode")
        run = threads.submit(run_dbt, "build", dbt_vars=window)
        _until(lambda: _waiting_for_table(between) == 1, f"the run to reach {between}")
        editor.commit()
        blocker.rollback()
        run.result()
    assert paths(tenant.id) == {"c1": ("podcast > promo_code", 2)}  # the whole run used lookback 30
    # The next run's window holds no event: only lookback 1 differing from its log brings c1 back.
    run_dbt("build", dbt_vars={**window, "attribution_start_date": "2026-09-10",
                               "attribution_end_date": "2026-09-11"})
    assert paths(tenant.id) == {"c1": ("promo_code", 1)}
