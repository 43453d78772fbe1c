"""Usage the database itself can measure: storage per tenant and table, and read-API requests per day.

Both run as the owner, which sees every tenant's rows (the platform_all policies), never as a role a tenant
can reach.

Storage, once per UTC day (the first measurement of a day stays: the ledger is append-only):
- a table LIST-partitioned by tenant (raw.events, downloads.requests, downloads.addresses): each tenant's
  partition, exactly (`pg_total_relation_size`, indexes and TOAST included);
- any other table with a tenant_id: its total size split by each tenant's share of `pg_column_size` over its
  rows; over SAMPLE_ABOVE rows the share comes from a TABLESAMPLE of about SAMPLE_ROWS rows and the line is
  marked as an estimate;
- what is left of the database (platform tables, Dagster's own storage, free space) is one unattributed line.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import psycopg
from psycopg import sql

from earmark.cost.ledger import UsageEvent, split
from earmark.cost.resources import API_REQUESTS, STORAGE_BYTES
from earmark.sqlfiles import load

SAMPLE_ABOVE = 200_000
SAMPLE_ROWS = 50_000
STORAGE_SOURCE = "storage"
API_SOURCE = "api_requests"
PLATFORM = "(platform tables and free space)"


def _q(name: str) -> str:
    return load("earmark.cost", name)


def storage_events(conn: psycopg.Connection, day: date) -> list[UsageEvent]:
    events: list[UsageEvent] = []
    measured = 0
    for table, by_tenant in conn.execute(_q("storage_tenant_partitions")).fetchall():
        measured += sum(size for size in by_tenant.values())
        for tenant, size in by_tenant.items():
            events.append(_storage(UUID(tenant), table, day, Decimal(size), "partition_size"))
    for schema, name, total, rows in conn.execute(_q("storage_shared_tables")).fetchall():
        table = f"{schema}.{name}"
        sample = sql.SQL("")
        if rows > SAMPLE_ABOVE:
            percent = max(0.01, min(100.0, 100.0 * SAMPLE_ROWS / max(rows, 1)))
            sample = sql.SQL("tablesample system ({}) repeatable (0)").format(sql.Literal(round(percent, 4)))
        statement = sql.SQL(_q("storage_column_shares")).format(table=sql.Identifier(schema, name),
                                                                sample=sample)
        parts = split(Decimal(total), dict(conn.execute(statement).fetchall()), Decimal(1))
        # an empty table (or one of deleted tenants only) has no shares: its bytes stay with the platform's
        measured += int(sum(parts.values()))
        method = "sampled_column_size_share" if rows > SAMPLE_ABOVE else "column_size_share"
        for tenant, size in parts.items():
            events.append(_storage(tenant, table, day, size, method))
    database = conn.execute(_q("storage_database_size")).fetchone()[0]
    rest = Decimal(max(0, database - measured))
    events.append(UsageEvent(None, STORAGE_SOURCE, f"{PLATFORM}/{day.isoformat()}", STORAGE_BYTES, day, rest,
                             PLATFORM, tags={"database_bytes": database}))
    return events


def _storage(tenant: UUID, table: str, day: date, size: Decimal, method: str) -> UsageEvent:
    return UsageEvent(tenant, STORAGE_SOURCE, f"{table}/{day.isoformat()}", STORAGE_BYTES, day, size, table,
                      is_estimate=method.startswith("sampled"), tags={"method": method})


def api_request_events(conn: psycopg.Connection, before: date) -> list[UsageEvent]:
    """Finished days only (before `before`, today UTC): a day's count is final once it is over."""
    return [UsageEvent(tenant, API_SOURCE, day.isoformat(), API_REQUESTS, day, Decimal(requests), "api/v1")
            for tenant, day, requests in conn.execute(_q("api_requests_unrecorded"), {"before": before})]
