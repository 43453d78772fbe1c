"""Attribution totals per model and channel, campaign or show over conversion dates, read through the API
role."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import psycopg

from earmark import db, exports
from earmark.exports import FORMATS, ExportError
from earmark.sqlfiles import load

GROUPINGS = ("channel", "campaign", "show")
__all__ = ["FORMATS", "GROUPINGS", "ExportError", "columns", "export_rows", "render"]


def columns(by: str) -> list[str]:
    return {"channel": ["model", "channel", "conversions", "revenue"],
            "campaign": ["model", "channel", "campaign_id", "conversions", "revenue"],
            "show": ["model", "show_id", "title", "conversions", "revenue"]}[by]


def export_rows(conn: psycopg.Connection, tenant_id: UUID | str, *, by: str = "channel",
                start: date | None = None, end: date | None = None) -> list[dict]:
    """One row per model and group, totals over conversion dates in [start, end] (inclusive)."""
    if by not in GROUPINGS:
        raise ExportError(f"Unknown grouping {by!r}; use --by channel, --by campaign or --by show.")
    if start and end and start > end:
        raise ExportError(f"--start {start} is after --end {end}; swap them.")
    query = load("earmark.attribution", f"export_by_{by}")
    with db.tenant_transaction(conn, tenant_id):
        cur = conn.execute(query, {"start": start, "end": end})
        names = [c.name for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def render(rows: list[dict], by: str, fmt: str) -> str:
    return exports.render(rows, columns(by), fmt)
