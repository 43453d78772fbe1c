"""Incremental runs: late touches recompute the conversions they can reach, a rerun changes nothing,
and a settings change recomputes the tenant."""

from __future__ import annotations

import pytest
from attribution_helpers import event, events_frame, load_events, read_mart, run_dbt

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
