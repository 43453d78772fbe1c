"""The dbt unit tests (YAML, on fct_touch_credits) run against the test database and all pass.

They cover every edge case of the path rules and the five models; this test also pins that none of
them was dropped.
"""

from __future__ import annotations

import json

import pytest

from earmark.attribution.dbt_env import run_dbt

EDGE_CASES = {
    "single_touch_gets_all_credit_under_every_model",
    "two_touches_at_the_same_second_order_by_event_id_bytewise",
    "repeated_channel_is_not_collapsed_and_weights_follow_positions",
    "time_decay_is_continuous_in_seconds_and_normalised",
    "same_second_conversions_and_lookback_boundary",
    "three_conversions_for_one_user_and_a_zero_revenue_conversion",
    "touches_find_their_show_and_placement_in_the_catalog",
}


@pytest.mark.slow
def test_dbt_unit_tests_pass(tmp_path):
    # a private target path: other tests run dbt concurrently and would overwrite run_results.json
    done = run_dbt("test", "--select", "test_type:unit", "--target-path", str(tmp_path))
    assert done.returncode == 0, done.stdout[-4000:]
    results = json.loads((tmp_path / "run_results.json").read_text())["results"]
    statuses = {r["unique_id"].rsplit(".", 1)[-1]: r["status"] for r in results
                if r["unique_id"].startswith("unit_test.")}
    assert set(statuses) == EDGE_CASES
    assert set(statuses.values()) == {"pass"}
