"""Attribution totals per model and channel (or campaign) over conversion dates, read through the API role."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from uuid import UUID

import psycopg

from earmark import db
from earmark.errors import EarmarkError
from earmark.sqlfiles import load

GROUPINGS = ("channel", "campaign")
FORMATS = ("csv", "json")


class ExportError(EarmarkError):
    """An export request that cannot be answered; the message says what to change."""


def columns(by: str) -> list[str]:
    return ["model", "channel", "conversions", "revenue"] if by == "channel" else [
        "model", "channel", "campaign_id", "conversions", "revenue"]


def export_rows(conn: psycopg.Connection, tenant_id: UUID | str, *, by: str = "channel",
                start: date | None = None, end: date | None = None) -> list[dict]:
    """One row per model and group, totals over conversion dates in [start, end] (inclusive)."""
    if by not in GROUPINGS:
        raise ExportError(f"Unknown grouping {by!r}; use --by channel or --by campaign.")
    if start and end and start > end:
        raise ExportError(f"--start {start} is after --end {end}; swap them.")
    query = load("earmark.attribution", f"export_by_{by}")
    with db.tenant_transaction(conn, tenant_id):
        cur = conn.execute(query, {"start": start, "end": end})
        names = [c.name for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def render(rows: list[dict], by: str, fmt: str) -> str:
    if fmt not in FORMATS:
        raise ExportError(f"Unknown format {fmt!r}; use --format csv or --format json.")
    if fmt == "json":
        return json.dumps(rows)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns(by), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
