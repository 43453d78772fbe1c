"""What counting decided, as report rows: downloads and listeners per episode or show and day, delivered ads
per ad and day, each request's outcome, and the exclusions per day and reason (IAB_COUNTING.md, R7).

The statements are earmark/downloads/sql/report_*.sql, the same ones the API's /downloads routes run; each
reads under one window mode, the one asked for or else the tenant's download_window setting. The report
functions take a connection already inside a tenant transaction (earmark.db.tenant_transaction), so
row-level security keeps every row to that tenant; export_rows opens one, as `earmark downloads export` does.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

import psycopg

from earmark import db
from earmark.downloads.reasons import MODES
from earmark.exports import ExportError
from earmark.sqlfiles import load

REPORTS = ("episodes", "shows", "ads", "requests", "exclusions")
COLUMNS = {
    "episodes": ["episode_id", "date", "downloads", "listeners"],
    "shows": ["show_id", "date", "downloads", "listeners"],
    "ads": ["ad_id", "date", "impressions"],
    "requests": ["request_id", "outcome", "reason", "download_id"],
    "exclusions": ["date", "reason", "requests", "share"],
}


def columns(what: str) -> list[str]:
    return list(COLUMNS[what])


def statement(what: str) -> str:
    """The text of report_<what>.sql; `context` is the mode and counted_at statement of every report."""
    if what not in (*REPORTS, "context"):
        raise ExportError(f"Unknown report {what!r}; use one of {', '.join(REPORTS)}.")
    return load("earmark.downloads", f"report_{what}")


def params(mode: str | None, start: date | None, end: date | None) -> dict:
    if mode is not None and mode not in MODES:
        raise ExportError(f"Unknown window mode {mode!r}; use fixed or rolling.")
    return {"mode": mode, "start": start, "end": end}


def report(conn: psycopg.Connection, what: str, *, mode: str | None = None, start: date | None = None,
           end: date | None = None) -> list[dict]:
    """The rows of one report, on a connection inside a tenant transaction. An end before the start is an
    empty window (as in the API)."""
    if conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
        raise RuntimeError("the download reports need a connection inside a tenant transaction "
                           "(earmark.db.tenant_transaction)")
    cur = conn.execute(statement(what), params(mode, start, end))
    names = [c.name for c in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def episodes(conn: psycopg.Connection, *, mode: str | None = None, start: date | None = None,
             end: date | None = None) -> list[dict]:
    """episode_id, date, downloads, listeners; in (date, episode_id) order."""
    return report(conn, "episodes", mode=mode, start=start, end=end)


def shows(conn: psycopg.Connection, *, mode: str | None = None, start: date | None = None,
          end: date | None = None) -> list[dict]:
    """show_id, date, downloads, listeners (distinct across the show's episodes); in (date, show_id) order."""
    return report(conn, "shows", mode=mode, start=start, end=end)


def ads(conn: psycopg.Connection, *, mode: str | None = None, start: date | None = None,
        end: date | None = None) -> list[dict]:
    """ad_id, date, impressions; in (date, ad_id) order."""
    return report(conn, "ads", mode=mode, start=start, end=end)


def requests(conn: psycopg.Connection, *, mode: str | None = None, start: date | None = None,
             end: date | None = None) -> list[dict]:
    """request_id, outcome ('counted' or 'excluded'), reason (null when counted), download_id; in (request
    date, request_id) order."""
    return report(conn, "requests", mode=mode, start=start, end=end)


def exclusions(conn: psycopg.Connection, *, mode: str | None = None, start: date | None = None,
               end: date | None = None) -> list[dict]:
    """date, reason, requests, share (of all that day's requests, counted ones included); in (date, reason
    code) order."""
    return report(conn, "exclusions", mode=mode, start=start, end=end)


def context(conn: psycopg.Connection, *, mode: str | None = None, start: date | None = None,
            end: date | None = None) -> dict:
    """{'mode': the mode the reports are in, 'counted_at': when the days asked were last counted or None}."""
    return report(conn, "context", mode=mode, start=start, end=end)[0]


def export_rows(conn: psycopg.Connection, tenant_id: UUID | str, *, what: str, mode: str | None = None,
                start: date | None = None, end: date | None = None) -> list[dict]:
    """One report's rows for one tenant, in a tenant transaction of its own (`earmark downloads export`)."""
    if start and end and start > end:
        raise ExportError(f"--start {start} is after --end {end}; swap them.")
    if what not in REPORTS:
        raise ExportError(f"Unknown report {what!r}; use --what {' or '.join(REPORTS)}.")
    with db.tenant_transaction(conn, tenant_id):
        return report(conn, what, mode=mode, start=start, end=end)
