"""One night of a tenant's series models: anomalies over every series, and each series' next 28 days.

Both read the series as they stood at the end of `as_of` (the night's UTC day) and nothing later, and
replace that night's outputs (earmark.ai.insights.store). Runs as the transformer inside the tenant's
transaction: the outputs' row-level security holds even for the pipeline.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

import psycopg

from earmark import db
from earmark.ai.anomalies import detect, explain
from earmark.ai.forecasts import forecast
from earmark.ai.insights import contributions as contrib
from earmark.ai.insights.series import TenantSeries, load_series, tenant_settings
from earmark.ai.insights.store import replace_night

FORECAST_HORIZON = 28


@dataclass
class NightSummary:
    task: str
    tenant_id: str
    as_of: date
    series: int = 0
    modelled: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> series
    outputs: int = 0
    newest_day: list[dict] = field(default_factory=list)  # anomalies on as_of itself (the asset check)
    seconds: float = 0.0

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def as_metadata(self) -> dict:
        return {"tenant_id": self.tenant_id, "as_of": self.as_of.isoformat(), "series": self.series,
                "modelled": self.modelled, "outputs": self.outputs, "seconds": round(self.seconds, 3),
                **{f"skipped: {k}": v for k, v in sorted(self.skipped.items())}}


def _series_fit(item: TenantSeries, model: dict) -> dict:
    return {"scope": item.key.scope, "entity_id": item.key.entity_id, "metric": item.key.metric,
            "model": model, "inputs": item.inputs()}


def anomaly_rows(conn: psycopg.Connection, tenant_id: str, item: TenantSeries) -> tuple[list[dict], dict]:
    """One series' anomalies as rows of ai.anomalies, each explained with its contributing dimension."""
    found = detect(item.series)
    key = item.key
    directions = [(a.date, 1.0 if a.actual >= a.expected else -1.0) for a in found.anomalies]
    named = contrib.contributions(conn, tenant_id, key.scope, key.entity_id, key.metric, directions)
    rows = []
    for anomaly in found.anomalies:
        dimension = named.get(anomaly.date)
        sentence = anomaly.explanation
        if dimension is not None:
            sentence = explain(anomaly, key.metric, release=getattr(anomaly, "release", False),
                               weekday=anomaly.date.strftime("%A"),
                               contribution=(contrib.LABELS[dimension[0]], dimension[1], dimension[2]))
        rows.append({"scope": key.scope, "entity_id": key.entity_id, "metric": key.metric,
                     "day": anomaly.date, "actual": anomaly.actual, "expected": anomaly.expected,
                     "lower": anomaly.lower, "upper": anomaly.upper, "score": anomaly.score,
                     "kind": anomaly.kind, "explanation": sentence,
                     "dimension": dimension[0] if dimension else None,
                     "dimension_value": dimension[1] if dimension else None,
                     "dimension_share": dimension[2] if dimension else None})
    return rows, found.model


def detect_anomalies(tenant_id: str, as_of: date, *, run_id: str | None = None) -> NightSummary:
    started = time.perf_counter()
    summary = NightSummary("anomalies", tenant_id, as_of)
    with db.connect("transformer") as conn, db.tenant_transaction(conn, tenant_id):
        settings = tenant_settings(conn, tenant_id)
        rows, fits = [], []
        for item in load_series(conn, tenant_id, as_of, country=settings["country"]):
            summary.series += 1
            try:
                found, model = anomaly_rows(conn, tenant_id, item)
            except ValueError as exc:  # too little history: said once per reason, not an error of the night
                summary.skip(str(exc))
                continue
            summary.modelled += 1
            rows += found
            fits.append(_series_fit(item, model))
        replace_night(conn, tenant_id, "anomalies", as_of, rows, fits, run_id)
    summary.outputs = len(rows)
    summary.newest_day = [r for r in rows if r["day"] == as_of]
    summary.seconds = time.perf_counter() - started
    return summary


def forecast_rows(item: TenantSeries, horizon: int, as_of: date | None = None) -> tuple[list[dict], dict]:
    result = forecast(item.series, horizon, as_of)
    key = item.key
    rows = [{"scope": key.scope, "entity_id": key.entity_id, "metric": key.metric, "day": p.date,
             "predicted": p.predicted, "lower": p.lower, "upper": p.upper} for p in result.points]
    return rows, result.model


def forecast_series(tenant_id: str, as_of: date, *, horizon: int = FORECAST_HORIZON,
                    run_id: str | None = None) -> NightSummary:
    started = time.perf_counter()
    summary = NightSummary("forecasts", tenant_id, as_of)
    with db.connect("transformer") as conn, db.tenant_transaction(conn, tenant_id):
        settings = tenant_settings(conn, tenant_id)
        rows, fits = [], []
        for item in load_series(conn, tenant_id, as_of, country=settings["country"]):
            summary.series += 1
            try:
                found, model = forecast_rows(item, horizon)
            except ValueError as exc:
                summary.skip(str(exc))
                continue
            summary.modelled += 1
            rows += found
            fits.append(_series_fit(item, model | {"horizon": horizon}))
        replace_night(conn, tenant_id, "forecasts", as_of, rows, fits, run_id)
    summary.outputs = len(rows)
    summary.seconds = time.perf_counter() - started
    return summary
