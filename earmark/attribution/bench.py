"""The attribution benchmark: load N journeys, full recompute, add one more day, incremental recompute.

Model time is the sum of dbt's per-model execution times (target/run_results.json); span is from the
first model's start to the last model's end (dbt runs two models at a time, so span <= sum); wall time
is the whole dbt invocation (start-up and parsing included). Run it on a dedicated EARMARK_HOME: the
full refresh recomputes every tenant in the database. The events come from
earmark.attribution.synthetic (one user per journey), not earmark.demo, so figures stay comparable
with the earlier rows of bench/RESULTS.md.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl

from earmark import db, tenancy
from earmark.attribution.dbt_env import DBT_PROJECT_DIR, run_dbt
from earmark.attribution.synthetic import copy_events, days_after, generate_journeys
from earmark.errors import EarmarkError
from earmark.migrate import migrate
from earmark.sqlfiles import load


class BenchmarkError(EarmarkError):
    """The benchmark could not run; the message says why."""


def _dbt(args: list[str], dbt: str) -> tuple[float, float, float]:
    """Run dbt; returns (sum of model execution seconds, their span, wall seconds)."""
    started = time.perf_counter()
    done = run_dbt(*args, executable=dbt)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise BenchmarkError(f"dbt {args[0]} failed: {done.stdout.strip().splitlines()[-1:]}")
    results = json.loads((DBT_PROJECT_DIR / "target" / "run_results.json").read_text())
    models = [r for r in results["results"] if r["unique_id"].startswith("model.")]
    executed = [t for r in models for t in r["timing"] if t["name"] == "execute"]
    span = (max(datetime.fromisoformat(t["completed_at"]) for t in executed)
            - min(datetime.fromisoformat(t["started_at"]) for t in executed)).total_seconds()
    return sum(r["execution_time"] for r in models), span, wall


def _events(journeys: int, events_path: Path | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The bulk of the events and one more day of them (about 1 % of the data)."""
    if events_path is not None:
        if not events_path.exists():
            raise BenchmarkError(f"No event file at {events_path}; pass a canonical CSV or Parquet file.")
        frame = pl.read_parquet(events_path) if events_path.suffix == ".parquet" else pl.read_csv(
            events_path, try_parse_dates=True)
        last_day = days_after(frame) - timedelta(days=1)
        frame = frame.with_columns(pl.col("occurred_at").dt.replace_time_zone("UTC")
                                   if frame["occurred_at"].dtype.time_zone is None else pl.col("occurred_at"))
        return frame.filter(pl.col("occurred_at") < last_day), frame.filter(pl.col("occurred_at") >= last_day)
    bulk = generate_journeys(journeys, days=90)
    extra_start = days_after(bulk).date()
    extra = generate_journeys(max(journeys // 100, 1), seed=8, days=1, start=extra_start, id_prefix="d91-")
    return bulk, extra


def run_benchmark(journeys: int = 1_000_000, events_path: Path | None = None, dbt: str = "dbt") -> dict:
    migrate()
    bulk, extra = _events(journeys, events_path)
    with db.connect("owner") as conn:
        tenant = tenancy.create_tenant(conn, f"bench-attribution-{int(time.time())}")
    started = time.perf_counter()
    with db.connect("transformer") as conn:
        copy_events(conn, tenant.id, bulk)
        conn.execute(load("earmark.attribution", "vacuum_events"))
    load_s = time.perf_counter() - started

    full_s, full_span, full_wall = _dbt(["run", "--full-refresh"], dbt)
    with db.connect("transformer") as conn:
        copy_events(conn, tenant.id, extra)
    day = days_after(extra) - timedelta(days=1)
    window = {"attribution_start_date": day.date().isoformat(),
              "attribution_end_date": (day + timedelta(days=1)).date().isoformat()}
    inc_s, inc_span, inc_wall = _dbt(["run", "--vars", json.dumps(window)], dbt)
    kinds = bulk["event_type"].value_counts()
    counts = dict(zip(kinds["event_type"], kinds["count"], strict=True))
    return {
        "tenant_id": str(tenant.id),
        "journeys": journeys if events_path is None else None,
        "events": bulk.height,
        "touchpoints": counts.get("touchpoint", 0),
        "conversions": counts.get("conversion", 0),
        "incremental_events": extra.height,
        "load_s": round(load_s, 3),
        "full_refresh_s": round(full_s, 3),
        "full_refresh_span_s": round(full_span, 3),
        "full_refresh_wall_s": round(full_wall, 3),
        "incremental_s": round(inc_s, 3),
        "incremental_span_s": round(inc_span, 3),
        "incremental_wall_s": round(inc_wall, 3),
    }
