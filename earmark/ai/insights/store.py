"""Writing a night's outputs: each task's rows and the model fits beside them replace that night's earlier
ones in one transaction, so a rerun of a partition gives exactly what a first run would, and a failed run
leaves the previous rows as they were."""

from __future__ import annotations

import json
import math
from datetime import date
from typing import Any

import psycopg

from earmark.sqlfiles import load

TABLES = {"anomalies": "anomalies", "forecasts": "forecasts", "campaign_predictions": "campaign_predictions",
          "recommendations": "recommendations"}


def _q(name: str) -> str:
    return load("earmark.ai.insights", name)


def finite(value: Any) -> Any:
    """JSON has no NaN or infinity; a model figure that is not finite is stored as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def as_json(rows: list[dict]) -> str:
    return json.dumps(finite(rows), default=str, allow_nan=False)


def replace_night(conn: psycopg.Connection, tenant_id: str, task: str, as_of: date, rows: list[dict],
                  fits: list[dict], run_id: str | None) -> None:
    """Inside the caller's tenant transaction: the night's rows of `task` and its fits, replaced."""
    table = TABLES[task]
    params = {"tenant_id": tenant_id, "as_of": as_of}
    conn.execute(_q(f"{table}_delete"), params)
    conn.execute(_q("model_fits_delete"), {**params, "task": task})
    if rows:
        conn.execute(_q(f"{table}_insert"), {**params, "rows": as_json(rows)})
    if fits:
        conn.execute(_q("model_fits_insert"), {**params, "task": task, "run_id": run_id,
                                               "rows": as_json(fits)})
