"""A tenant's daily series as the models read them: one DailySeries per show or campaign and metric, from the
daily-metrics mart (analytics.fct_daily_metrics), with each show's known release days from the catalog.

A series runs from its first day with a value to its last one (never past the night's day); a day in
between without a row is NaN, missing, which the models skip rather than read as 0. A series whose last
value is older than STALE_DAYS is over (a finished campaign, a show that stopped) and is not modelled.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import groupby

import numpy as np
import psycopg

from earmark.ai.series import DailySeries
from earmark.sqlfiles import load

STALE_DAYS = 14


@dataclass(frozen=True)
class SeriesKey:
    scope: str  # 'show' or 'campaign'
    entity_id: str
    metric: str

    @property
    def show_id(self) -> str | None:
        return self.entity_id if self.scope == "show" else None

    @property
    def campaign_id(self) -> str | None:
        return self.entity_id if self.scope == "campaign" else None


@dataclass(frozen=True)
class TenantSeries:
    key: SeriesKey
    series: DailySeries
    source: str  # earmark or imported

    @property
    def end(self) -> date:
        return self.series.start + timedelta(days=len(self.series.values) - 1)

    def inputs(self) -> dict:
        """What the model was given, for ai.model_fits: window, points, source and a digest of the values."""
        values = self.series.values
        digest = hashlib.sha256(np.ascontiguousarray(values, dtype="<f8").tobytes()).hexdigest()
        releases = self.series.release_dates
        return {"start": self.series.start.isoformat(), "end": self.end.isoformat(), "days": len(values),
                "observed": int(np.count_nonzero(~np.isnan(values))), "source": self.source,
                "country": self.series.country, "values_sha256": digest,
                "release_dates": None if releases is None else len(releases)}


def tenant_settings(conn: psycopg.Connection, tenant_id: str) -> dict:
    cur = conn.execute(load("earmark.ai.insights", "tenant_settings"), {"tenant_id": tenant_id})
    country, reporting_model, download_window, currency = cur.fetchone()
    return {"country": country, "reporting_model": reporting_model, "download_window": download_window,
            "currency": currency}


def release_days(conn: psycopg.Connection, tenant_id: str) -> dict[str, tuple[date, ...]]:
    rows = conn.execute(load("earmark.ai.insights", "release_days"), {"tenant_id": tenant_id}).fetchall()
    return {show_id: tuple(days) for show_id, days in rows}


def load_series(conn: psycopg.Connection, tenant_id: str, as_of: date, *, country: str = "US",
                include_stale: bool = False) -> list[TenantSeries]:
    """Every series of the tenant with values up to `as_of`, in a stable order (scope, entity, metric)."""
    releases = release_days(conn, tenant_id)
    rows = conn.execute(load("earmark.ai.insights", "series_values"),
                        {"tenant_id": tenant_id, "as_of": as_of}).fetchall()
    found = []
    for (scope, entity_id, metric), group in groupby(rows, key=lambda r: (r[0], r[1], r[2])):
        points = list(group)
        first, last = points[0][3], points[-1][3]
        if not include_stale and (as_of - last).days > STALE_DAYS:
            continue
        values = np.full((last - first).days + 1, np.nan)
        for _, _, _, day, value, _ in points:
            values[(day - first).days] = value
        key = SeriesKey(scope, entity_id, metric)
        # Every metric of a show gets its catalog release days (downloads follow them; the model finds how
        # much conversions do); a show without catalog episodes, and every campaign, has its pattern learned.
        known = releases.get(entity_id) if scope == "show" else None
        series = DailySeries(start=first, values=values, metric=metric, release_dates=known, country=country)
        found.append(TenantSeries(key=key, series=series, source=points[0][5]))
    return found
