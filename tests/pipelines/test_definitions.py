"""The code location loads the way the webserver and daemon load it."""

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

from earmark.orchestration import PROJECT_ROOT, prepare_dagster_home


def test_dagster_definitions_validate_from_the_workspace(database):
    prepare_dagster_home()
    dagster = Path(sys.executable).with_name("dagster")
    done = subprocess.run(
        [str(dagster), "definitions", "validate", "-w", str(PROJECT_ROOT / "workspace.yaml")],
        capture_output=True, text=True, cwd=PROJECT_ROOT, env=os.environ.copy(), timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "earmark" in done.stdout + done.stderr


def test_definitions_hold_the_pipeline():
    from pipelines.definitions import defs

    assets = {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {"raw_events", "fct_touch_credits", "fct_daily_channel_credits"} <= assets
    assert {s.name for s in defs.sensors} == {"landing_sensor", "tenant_partitions_sensor"}
    schedule = defs.resolve_schedule_def("nightly_attribution_schedule")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 2 * * *", "UTC")
    assert defs.resolve_job_def("attribution_nightly").partitions_def is not None
    dg.Definitions.validate_loadable(defs)
