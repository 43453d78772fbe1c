"""Raw-data retention (issue 16): raw rows older than the tenant's `raw_retention_months` go, and with them
the derived rows that came only from them.

The cutoff is the start of the UTC day that many calendar months before the run's day. Per tenant, in one
tenant-scoped transaction as the transformer (which owns the attribution marts and may delete the raw
tables), this deletes:

- raw: events that happened before the cutoff; ingest batches that finished before it, with their
  quarantined rows (and any batch holding a row quarantined before it);
- downloads: requests before the cutoff, their outcomes, downloads, delivered ads and counted days dated
  before it; request logs finished before it or holding only earlier days, with their quarantine;
- the attribution marts (dbt): touch credits, conversion paths and the daily channel and show credits of
  conversions dated before the cutoff (their touches are older still). A mart dbt has not built yet is
  skipped.

Catalog tables, the audit log, cost tables and AI outputs are not raw data and stay. Each tenant that lost
rows gets one `retention_applied` entry in its audit log, in the same transaction as the deletes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from uuid import UUID

import psycopg
from psycopg import sql

from earmark import db
from earmark.privacy import audit
from earmark.sqlfiles import load

# dbt's target schema (dbt_project/profiles.yml `schema:`): the marts carry no schema of their own.
MARTS_SCHEMA = "analytics"
MARTS = ("fct_touch_credits", "fct_conversion_paths", "fct_daily_channel_credits", "fct_daily_show_credits")
ACTION = "retention_applied"

# (table, statement), in order: a batch's quarantine before the batch (its foreign key cascades, and the
# rows would go uncounted).
_BY_TIME = (
    ("raw.events", "retention_raw_events"),
    ("downloads.requests", "retention_download_requests"),
    ("downloads.request_outcomes", "retention_download_request_outcomes"),
    ("downloads.downloads", "retention_download_downloads"),
    ("downloads.ad_deliveries", "retention_download_ad_deliveries"),
    ("downloads.delivered_ads", "retention_download_delivered_ads"),
    ("downloads.counted_days", "retention_download_counted_days"),
)
_BY_BATCH = (
    ("retention_raw_expired_batches",
     (("raw.rejected_events", "retention_raw_rejected_events"),
      ("raw.ingest_batches", "retention_raw_ingest_batches"))),
    ("retention_download_expired_batches",
     (("downloads.rejected_requests", "retention_download_rejected_requests"),
      ("downloads.batches", "retention_download_batches"))),
)


def _q(name: str) -> str:
    return load("earmark.privacy", name)


@dataclass(frozen=True)
class Removal:
    """What one tenant's retention removed: rows per table (every table it looked at, zeros included)."""

    tenant_id: str
    retention_months: int
    cutoff: date
    removed: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.removed.values())

    def removed_only(self) -> dict[str, int]:
        return {table: n for table, n in self.removed.items() if n}


def apply_retention(conn: psycopg.Connection, tenant_id: UUID | str, today: date) -> Removal:
    """Delete one tenant's rows past its retention, in one tenant-scoped transaction (the connection must
    be in autocommit, outside any transaction, as earmark.db.connect gives it)."""
    tenant = str(UUID(str(tenant_id)))
    with db.tenant_transaction(conn, tenant):
        found = conn.execute(_q("retention_cutoff"), {"tenant_id": tenant, "today": today}).fetchone()
        if found is None:
            raise ValueError(f"No settings for tenant {tenant}; see `earmark tenants list`.")
        months, cutoff = found
        params = {"tenant_id": tenant, "cutoff": cutoff, "cutoff_at": datetime.combine(cutoff, time(0), UTC)}
        removed: dict[str, int] = {}
        for table, statement in _BY_TIME:
            removed[table] = conn.execute(_q(statement), params).rowcount
        for expired, steps in _BY_BATCH:
            batch_ids = [row[0] for row in conn.execute(_q(expired), params)]
            for table, statement in steps:
                removed[table] = conn.execute(_q(statement), {**params, "batch_ids": batch_ids}).rowcount
        conn.execute(_q("retention_download_batches_trim"), params)
        present = {row[0] for row in conn.execute(_q("retention_marts_present"),
                                                  {"names": list(MARTS), "schema": MARTS_SCHEMA})}
        for mart in (m for m in MARTS if m in present):
            statement = sql.SQL(_q("retention_mart")).format(mart=sql.Identifier(MARTS_SCHEMA, mart))
            removed[f"{MARTS_SCHEMA}.{mart}"] = conn.execute(statement, params).rowcount
        result = Removal(tenant, months, cutoff, removed)
        if result.total:
            audit.append(conn, tenant, "system", ACTION, target="raw",
                         changes={"cutoff": cutoff.isoformat(), "retention_months": months,
                                  "removed": result.removed_only()})
    return result


def apply_all(tenant_ids: Iterable[UUID | str], today: date | None = None) -> list[Removal]:
    """Retention for each tenant in turn, as the transformer; each tenant commits on its own."""
    today = today or datetime.now(UTC).date()
    with db.connect("transformer") as conn:
        return [apply_retention(conn, tenant_id, today) for tenant_id in tenant_ids]
