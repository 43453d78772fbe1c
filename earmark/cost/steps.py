"""Pipeline compute and database work per tenant, from the start and end of each Dagster step attempt.

The rule for a step that serves several tenants: its seconds are split between them by each tenant's share
of the rows the step processed, as the step reported them (materialization or observation metadata
`earmark/rows_by_tenant`). A step partitioned by tenant serves that tenant alone. A step that names no
tenant (a sensor's bookkeeping, the cost collection itself) is unattributed: its own line, never spread.
A step that runs across midnight UTC is first cut at midnight, so each day gets the seconds it held.

Database time: Postgres reports time per statement only through pg_stat_statements, which must be preloaded
at server start and does not know tenants; the embedded server has none. So a step's database time is its
wall time, split by the same rule, and tagged `measure: step_wall_time`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from uuid import UUID

from earmark.cost.ledger import UsageEvent, split
from earmark.cost.resources import COMPUTE_SECONDS, DB_ROWS, DB_SECONDS

SOURCE = "dagster_step"
ROWS_BY_TENANT = "earmark/rows_by_tenant"


@dataclass(frozen=True)
class StepAttempt:
    run_id: str
    step_key: str
    attempt: int
    started: datetime  # aware, UTC
    ended: datetime
    job_name: str = ""
    partition_key: str | None = None
    succeeded: bool = True
    # rows the step processed per tenant, as it reported them; empty when it reported none
    rows_by_tenant: Mapping[UUID, int] = field(default_factory=dict)


def _days(started: datetime, ended: datetime) -> Iterator[tuple[datetime, Decimal]]:
    """(UTC day, seconds of [started, ended) inside it), microsecond exact."""
    cursor = started
    while cursor < ended:
        midnight = datetime.combine(cursor.date() + timedelta(days=1), time(), cursor.tzinfo)
        stop = min(ended, midnight)
        delta = stop - cursor
        yield cursor, Decimal(delta.days * 86_400 + delta.seconds) + Decimal(delta.microseconds) / 1_000_000
        cursor = stop


def tenants_of(step: StepAttempt, known_tenants: set[UUID]) -> dict[UUID, int]:
    """Whom the step served, with the weights its seconds are split by (empty: unattributed)."""
    reported = {tenant: rows for tenant, rows in step.rows_by_tenant.items()
                if rows > 0 and tenant in known_tenants}
    if reported:
        return reported
    try:
        tenant = UUID(step.partition_key) if step.partition_key else None
    except ValueError:
        tenant = None
    return {tenant: 1} if tenant in known_tenants else {}


def usage_events(step: StepAttempt, known_tenants: set[UUID]) -> list[UsageEvent]:
    weights = tenants_of(step, known_tenants)
    tags = {"run_id": step.run_id, "step": step.step_key, "attempt": step.attempt, "job": step.job_name,
            "partition": step.partition_key, "outcome": "success" if step.succeeded else "failure"}
    events = []
    for start, seconds in _days(step.started, step.ended):
        day = start.date()
        event_id = f"{step.run_id}/{step.step_key}/{step.attempt}/{day.isoformat()}"
        parts = split(seconds, weights) if weights else {None: seconds}
        for tenant, part in parts.items():
            events.append(UsageEvent(tenant, SOURCE, event_id, COMPUTE_SECONDS, day, part, step.step_key,
                                     tags={**tags, "measure": "step_wall_time"}))
            # not measured by Postgres: an upper bound (the step's whole time), marked as an estimate
            events.append(UsageEvent(tenant, SOURCE, event_id, DB_SECONDS, day, part, step.step_key,
                                     is_estimate=True, tags={**tags, "measure": "step_wall_time"}))
    # Rows are counted once, on the day the step ended.
    for tenant, rows in step.rows_by_tenant.items():
        if rows > 0 and tenant in known_tenants:
            event_id = f"{step.run_id}/{step.step_key}/{step.attempt}"
            events.append(UsageEvent(tenant, SOURCE, event_id, DB_ROWS, step.ended.date(), Decimal(rows),
                                     step.step_key, tags=tags))
    return events
