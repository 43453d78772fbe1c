"""Campaign economics per campaign or show (spend, CPA, ROAS, CPM), read through the API role: the same
statements the API's /economics routes run (earmark/catalog/sql/economics_by_*.sql)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import psycopg

from earmark import db
from earmark.exports import ExportError
from earmark.sqlfiles import load

GROUPINGS = ("campaign", "show")
COLUMNS = {
    "campaign": ["model", "campaign_id", "campaign_name", "advertiser_id"],
    "show": ["model", "show_id", "title"],
}
FIGURES = ["currency", "spend", "impressions", "conversions", "revenue", "cpa", "roas", "cpm",
           "conversions_per_mille"]


def columns(by: str) -> list[str]:
    return COLUMNS[by] + FIGURES


def statement(by: str) -> str:
    if by not in GROUPINGS:
        raise ExportError(f"Unknown grouping {by!r}; use --by campaign or --by show.")
    return load("earmark.catalog", f"economics_by_{by}")


def export_rows(conn: psycopg.Connection, tenant_id: UUID | str, *, by: str, model: str | None = None,
                start: date | None = None, end: date | None = None) -> list[dict]:
    """One row per campaign (or show) and currency under `model` (the tenant's reporting model if None)."""
    if start and end and start > end:
        raise ExportError(f"--start {start} is after --end {end}; swap them.")
    with db.tenant_transaction(conn, tenant_id):
        cur = conn.execute(statement(by), {"model": model, "start": start, "end": end})
        names = [c.name for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
