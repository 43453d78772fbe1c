"""The attribution benchmark: load N journeys, full recompute, add one more day, incremental recompute.

Model time is the sum of dbt's per-model execution times (target/run_results.json); span is from the
first model's start to the last model's end (dbt runs two models at a time, so span <= sum); wall time
is the whole dbt invocation (start-up and parsing included). Run it on a dedicated EARMARK_HOME: the
full refresh recomputes every tenant in the database. The events come from
earmark.attribution.synthetic (one user per journey), not earmark.demo, so figures stay comparable
with the earlier rows of bench/RESULTS.md, or from a file (`--events`): any file `earmark ingest`
takes, read and checked by the ingestion's own reader, its last UTC day held back for the incremental.
Both load through `earmark.ingest.ingest_file`, the path users' files take, so load_s is what they get.
"""

from __future__ import annotations

import json
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl

from earmark import db, tenancy
from earmark.attribution.dbt_env import DBT_PROJECT_DIR, run_dbt
from earmark.attribution.synthetic import days_after, generate_journeys
from earmark.errors import EarmarkError
from earmark.ingest import ingest_file, reader
from earmark.ingest.errors import IngestFileError
from earmark.ingest.validate import validate
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


def _events(journeys: int, events_path: Path | None, tenant: tenancy.Tenant) -> tuple[pl.DataFrame,
                                                                                    pl.DataFrame]:
    """The bulk of the events and one more day of them (about 1 % of the data), as canonical columns."""
    if events_path is not None:
        if not events_path.is_file():
            raise BenchmarkError(f"No event file at {events_path}; pass a file `earmark ingest` takes "
                                 "(.csv, .parquet or .jsonl).")
        try:
            raw = reader.read(events_path)
            with db.connect("owner") as conn:
                time_zone = tenancy.get_settings(conn, tenant.id).time_zone
            frame = validate(raw, tenant.id, time_zone, events_path.name).valid
        except IngestFileError as exc:
            raise BenchmarkError(str(exc)) from None
        if frame.is_empty():
            raise BenchmarkError(f"{events_path.name} holds no valid event; `earmark ingest` says why.")
        last_day = days_after(frame) - timedelta(days=1)
        bulk = frame.filter(pl.col("occurred_at") < last_day)
        if bulk.is_empty():
            raise BenchmarkError(f"{events_path.name} covers one UTC day; the benchmark holds the last day "
                                 "back for the incremental run, so it needs events on at least two days.")
        return bulk, frame.filter(pl.col("occurred_at") >= last_day)
    bulk = generate_journeys(journeys, days=90)
    extra_start = days_after(bulk).date()
    extra = generate_journeys(max(journeys // 100, 1), seed=8, days=1, start=extra_start, id_prefix="d91-")
    return bulk, extra


def _ingest(tenant: tenancy.Tenant, frame: pl.DataFrame, folder: Path, name: str) -> float:
    """Load `frame` the way a user's file loads (earmark ingest's code, not a bulk shortcut); seconds."""
    path = folder / f"{name}.parquet"
    frame.write_parquet(path)
    started = time.perf_counter()
    ingest_file(tenant.id, path)
    return time.perf_counter() - started


def run_benchmark(journeys: int = 1_000_000, events_path: Path | None = None, dbt: str = "dbt") -> dict:
    migrate()
    with db.connect("owner") as conn:
        tenant = tenancy.create_tenant(conn, f"bench-attribution-{int(time.time())}", "enterprise")
    bulk, extra = _events(journeys, events_path, tenant)
    with tempfile.TemporaryDirectory(prefix="earmark-bench-") as folder:
        load_s = _ingest(tenant, bulk, Path(folder), "bulk")
        with db.connect("transformer") as conn:
            conn.execute(load("earmark.attribution", "vacuum_events"))

        full_s, full_span, full_wall = _dbt(["run", "--full-refresh"], dbt)
        _ingest(tenant, extra, Path(folder), "extra")
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
