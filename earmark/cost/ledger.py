"""The usage ledger: append-only, idempotent forever on (source, source event id, resource).

Writers build UsageEvents and call `record`; a replay of the same events inserts nothing. An event without
a tenant goes to cost.unattributed_usage, the explicit line for usage no tenant can be charged for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from uuid import UUID

import psycopg
from psycopg.types.json import Jsonb

from earmark.cost.resources import UNITS
from earmark.sqlfiles import load

MICRO = Decimal("0.000001")


@dataclass(frozen=True)
class UsageEvent:
    tenant_id: UUID | None  # None: unattributed
    source: str
    source_event_id: str
    resource: str
    usage_date: date
    quantity: Decimal
    resource_id: str
    service_provider: str = "Earmark"
    billed_cost: Decimal | None = None
    is_estimate: bool = False
    tags: Mapping[str, object] = field(default_factory=dict)

    def row(self) -> dict:
        return {"tenant_id": self.tenant_id, "source": self.source, "source_event_id": self.source_event_id,
                "resource": self.resource, "usage_date": self.usage_date, "quantity": self.quantity,
                "unit": UNITS[self.resource], "resource_id": self.resource_id,
                "service_provider": self.service_provider, "billed_cost": self.billed_cost,
                "is_estimate": self.is_estimate, "tags": Jsonb(dict(self.tags))}


def record(conn: psycopg.Connection, events: Iterable[UsageEvent]) -> int:
    """Insert the events not yet in the ledger; returns how many were new. Run it inside a transaction
    that also marks the source as read, so a failure leaves neither."""
    tenant_rows, platform_rows = [], []
    for event in events:
        (tenant_rows if event.tenant_id is not None else platform_rows).append(event.row())
    new = 0
    with conn.cursor() as cur:
        for statement, rows in (("usage_event_insert", tenant_rows), ("unattributed_insert", platform_rows)):
            for row in rows:
                cur.execute(load("earmark.cost", statement), row)
                new += cur.rowcount
    return new


def split(total: Decimal, weights: Mapping[object, int | Decimal], quantum: Decimal = MICRO) -> dict:
    """`total` split in proportion to `weights`, in multiples of `quantum`, adding up to `total` exactly
    when it is a multiple of the quantum (otherwise to `total` rounded down to one: callers pass seconds to
    the microsecond and bytes, which are).

    Largest remainder: each part is rounded down to the quantum and the quanta left over go one each to
    the parts with the largest remainders (ties to the first key in sorted order). Parts of zero weight
    get nothing; with no positive weight there is nothing to split by and the result is empty.
    """
    positive = {key: Decimal(w) for key, w in weights.items() if w > 0}
    whole = sum(positive.values(), Decimal(0))
    if not positive:
        return {}
    units = (total / quantum).to_integral_value(rounding=ROUND_FLOOR)
    exact = {key: units * w / whole for key, w in positive.items()}
    floors = {key: value.to_integral_value(rounding=ROUND_FLOOR) for key, value in exact.items()}
    left = int(units - sum(floors.values()))
    by_remainder = sorted(positive, key=lambda key: (-(exact[key] - floors[key]), str(key)))
    for key in by_remainder[:left]:
        floors[key] += 1
    return {key: floors[key] * quantum for key in positive}
