"""`earmark anomalies export` and `earmark forecast`: a night's stored anomalies, and a forecast made now from
the series as they stood at the end of `--as-of` (nothing later is read)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import numpy as np
import psycopg

from earmark import db
from earmark.ai.insights.nightly import forecast_rows
from earmark.ai.insights.series import TenantSeries, load_series, tenant_settings
from earmark.ai.series import DailySeries
from earmark.exports import ExportError
from earmark.sqlfiles import load

ANOMALY_COLUMNS = ["show_id", "campaign_id", "metric", "date", "actual", "expected", "lower", "upper",
                   "score", "kind", "explanation", "dimension", "dimension_value", "dimension_share", "as_of"]
FORECAST_COLUMNS = ["show_id", "campaign_id", "metric", "date", "predicted", "lower", "upper"]
MAX_HORIZON = 366


def last_complete_day(now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).date() - timedelta(days=1)


def _check_window(start: date | None, end: date | None) -> None:
    if start and end and start > end:
        raise ExportError(f"--start {start} is after --end {end}; swap them.")


def anomaly_rows(conn: psycopg.Connection, tenant_id: UUID | str, *, start: date | None = None,
                 end: date | None = None, as_of: date | None = None) -> list[dict]:
    _check_window(start, end)
    with db.tenant_transaction(conn, tenant_id):
        cur = conn.execute(load("earmark.ai.insights", "anomalies_export"),
                           {"tenant_id": str(tenant_id), "start": start, "end": end, "as_of": as_of})
        names = [c.name for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _padded(item: TenantSeries, as_of: date) -> TenantSeries:
    """The series through `as_of`: days after its last value are missing, so the forecast starts the day
    after `as_of` whatever day the data stopped."""
    gap = (as_of - item.end).days
    if gap <= 0:
        return item
    values = np.concatenate([item.series.values, np.full(gap, np.nan)])
    series = DailySeries(start=item.series.start, values=values, metric=item.series.metric,
                         release_dates=item.series.release_dates, country=item.series.country)
    return TenantSeries(key=item.key, series=series, source=item.source)


def forecast_now(conn: psycopg.Connection, tenant_id: UUID | str, *, metric: str, horizon: int,
                 show_id: str | None = None, campaign_id: str | None = None,
                 as_of: date | None = None) -> list[dict]:
    """Per matching series and future day: show_id, campaign_id, metric, date, predicted, lower, upper."""
    if not 1 <= horizon <= MAX_HORIZON:
        raise ExportError(f"--horizon {horizon} is out of range; forecast 1 to {MAX_HORIZON} days.")
    if show_id and campaign_id:
        raise ExportError("Give --show or --campaign, not both: a series is one show's or one campaign's.")
    as_of = as_of or last_complete_day()
    with db.tenant_transaction(conn, tenant_id):
        settings = tenant_settings(conn, str(tenant_id))
        everything = load_series(conn, str(tenant_id), as_of, country=settings["country"], include_stale=True)
    matching = [s for s in everything if s.key.metric == metric
                and (show_id is None or s.key.show_id == show_id)
                and (campaign_id is None or s.key.campaign_id == campaign_id)
                and (show_id or campaign_id or s.key.scope == "show")]
    if not matching:
        metrics = sorted({s.key.metric for s in everything})
        what = f"show {show_id!r}" if show_id else f"campaign {campaign_id!r}" if campaign_id else "any show"
        raise ExportError(f"No {metric!r} series for {what} up to {as_of}; the tenant's metrics are "
                          f"{', '.join(metrics) or 'none yet (run the pipeline first)'}.")
    rows = []
    for item in matching:
        try:
            found, _ = forecast_rows(_padded(item, as_of), horizon, as_of)
        except ValueError as exc:
            raise ExportError(f"{item.key.scope} {item.key.entity_id}: {exc}") from None
        for row in found:
            rows.append({"show_id": item.key.show_id, "campaign_id": item.key.campaign_id, "metric": metric,
                         "date": row["day"], "predicted": row["predicted"], "lower": row["lower"],
                         "upper": row["upper"]})
    return rows
