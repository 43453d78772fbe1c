"""Dagster's own records of finished runs, as the step attempts the ledger charges (earmark.cost.steps).

A step attempt runs from its STEP_START (STEP_RESTARTED for a retry) to the STEP_SUCCESS, STEP_FAILURE or
STEP_UP_FOR_RETRY that ends it, so a retried step is charged once per attempt. The tenants a step served
come from the `earmark/rows_by_tenant` metadata of its materializations and observations, else from the
run's partition.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from uuid import UUID

import dagster as dg
from dagster._core.events import DagsterEventType

from earmark.cost.steps import ROWS_BY_TENANT, StepAttempt

FINISHED = [dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED]
_ENDS = {DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE, DagsterEventType.STEP_UP_FOR_RETRY}
_STARTS = {DagsterEventType.STEP_START, DagsterEventType.STEP_RESTARTED}
_READ = {*_STARTS, *_ENDS, DagsterEventType.ASSET_MATERIALIZATION,
         DagsterEventType.ASSET_OBSERVATION}


def finished_runs(instance: dg.DagsterInstance, since: datetime | None) -> list[dg.DagsterRun]:
    """Finished runs, those updated since `since` (minus a day, for runs that finished while the last
    collection ran) when given."""
    filters = dg.RunsFilter(statuses=FINISHED,
                            updated_after=since - timedelta(days=1) if since else None)
    return [record.dagster_run for record in instance.get_run_records(filters=filters)]


def step_attempts(instance: dg.DagsterInstance, run: dg.DagsterRun) -> list[StepAttempt]:
    records = instance.get_records_for_run(run.run_id, of_type=_READ, limit=None).records
    open_attempts: dict[str, tuple[int, datetime]] = {}
    counts: dict[str, int] = defaultdict(int)
    rows: dict[str, dict[UUID, int]] = defaultdict(dict)
    closed: list[tuple[str, int, datetime, datetime, bool]] = []
    for record in records:
        entry = record.event_log_entry
        event = entry.dagster_event
        step = entry.step_key
        if event is None or step is None:
            continue
        at = datetime.fromtimestamp(entry.timestamp, UTC)
        if event.event_type in _STARTS:
            counts[step] += 1
            open_attempts[step] = (counts[step], at)
        elif event.event_type in _ENDS and step in open_attempts:
            attempt, started = open_attempts.pop(step)
            closed.append((step, attempt, started, at, event.event_type == DagsterEventType.STEP_SUCCESS))
        elif event.event_type in (DagsterEventType.ASSET_MATERIALIZATION, DagsterEventType.ASSET_OBSERVATION):
            data = event.event_specific_data
            asset_event = getattr(data, "materialization", None) or getattr(data, "asset_observation", None)
            value = asset_event.metadata.get(ROWS_BY_TENANT) if asset_event is not None else None
            for tenant, n in _rows(value).items():
                rows[step][tenant] = rows[step].get(tenant, 0) + n
    partition = run.tags.get("dagster/partition")
    return [StepAttempt(run.run_id, step, attempt, started, ended, run.job_name, partition, ok, rows[step])
            for step, attempt, started, ended, ok in closed]


def _rows(value: object) -> dict[UUID, int]:
    data = getattr(value, "value", value)
    if isinstance(data, str):
        data = json.loads(data)
    if not isinstance(data, dict):
        return {}
    found = {}
    for tenant, n in data.items():
        try:
            found[UUID(str(tenant))] = int(n)
        except (TypeError, ValueError):
            continue
    return found
