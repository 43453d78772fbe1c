"""The attribution benchmark: Earmark and its peer side by side on the same events, round after round.

One run loads the events through ingestion (`earmark.ingest.ingest_file`, the path users' files take),
then repeats, `rounds` times and one after the other on the same machine:

- the peer (marketing-attribution-models 2.x, `earmark.attribution.peer`) computing the five heuristics
  from the same raw events in memory;
- `earmark run --full-refresh --json` as a user runs it (a new process: Python, Dagster, dbt start-up and
  parsing included): its wall time and the sum of dbt's per-model execution times, as Dagster recorded
  them;
- the floor of a full recompute: one sort of the tenant's events by the engine's window keys, in Postgres.

Then each round lands one more day of events (about 1 % of the data) in the tenant's landing folder and
times `earmark run --json` end to end: ingestion of that file, then the incremental attribution.

The load average is taken before every measurement. Run it on a dedicated EARMARK_HOME: `earmark run`
works on every tenant in the database. The events come from earmark.attribution.synthetic (one user per
journey), or from a file (`--events`): any file `earmark ingest` takes, its last UTC days held back for
the incremental rounds.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl

from earmark import db, tenancy
from earmark.attribution.peer import run_peer
from earmark.attribution.synthetic import days_after, generate_journeys
from earmark.errors import EarmarkError
from earmark.ingest import ingest_file, reader
from earmark.ingest.errors import IngestFileError
from earmark.ingest.validate import validate
from earmark.migrate import migrate
from earmark.orchestration import landing_folder
from earmark.sqlfiles import load

REPO = Path(__file__).resolve().parents[2]


class BenchmarkError(EarmarkError):
    """The benchmark could not run; the message says why."""


def _earmark_command() -> list[str]:
    beside = Path(sys.executable).with_name("earmark")
    if beside.exists():
        return [str(beside)]
    return [sys.executable, "-c", "from earmark.cli import main; main()"]


def earmark_run(*args: str) -> dict:
    """`earmark run --json ARGS` in a new process: its wall seconds and what it reported."""
    started = time.perf_counter()
    done = subprocess.run([*_earmark_command(), "run", "--json", *args], capture_output=True, text=True,
                          env=os.environ.copy())
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise BenchmarkError(f"earmark run {' '.join(args)} failed: {done.stderr.strip()}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    attributed = report["attributed"] or {}
    ingested = sum(t.get("seconds", 0.0) for t in report["ingested"].values())
    dbt_s = attributed.get("dbt_seconds") or 0.0
    return {"wall_s": round(wall, 3), "model_s": attributed.get("model_seconds_total", 0.0),
            "dbt_s": dbt_s, "ingest_s": round(ingested, 3), "run_id": attributed.get("run_id"),
            # the orchestration overhead: the share of the wall time outside dbt and ingestion
            "outside_dbt_and_ingest": round(1 - (dbt_s + ingested) / wall, 3)}


def sort_floor(tenant_id: str) -> float:
    """Seconds Postgres takes to sort the tenant's events by the engine's window keys (EXPLAIN ANALYZE)."""
    with db.connect("transformer") as conn, conn.transaction():
        conn.execute(load("earmark.attribution", "sort_floor_memory"))
        plan = conn.execute(load("earmark.attribution", "sort_floor"), {"tenant_id": tenant_id}).fetchone()[0]
    return round(plan[0]["Execution Time"] / 1000, 3)


def _load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _bulk_and_days(journeys: int, events_path: Path | None, tenant: tenancy.Tenant,
                   rounds: int) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """The bulk of the events and `rounds` more days of them (about 1 % of the data each)."""
    if events_path is not None:
        return _file_events(events_path, tenant, rounds)
    bulk = generate_journeys(journeys, days=90)
    first_extra = days_after(bulk).date()
    days = [generate_journeys(max(journeys // 100, 1), seed=8 + r, days=1, start=first_extra + timedelta(r),
                              id_prefix=f"d{91 + r}-") for r in range(rounds)]
    return bulk, days


def _file_events(path: Path, tenant: tenancy.Tenant, rounds: int) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    if not path.is_file():
        raise BenchmarkError(f"No event file at {path}; pass a file `earmark ingest` takes "
                             "(.csv, .parquet or .jsonl).")
    try:
        raw = reader.read(path)
        with db.connect("owner") as conn:
            time_zone = tenancy.get_settings(conn, tenant.id).time_zone
        frame = validate(raw, tenant.id, time_zone, path.name).valid
    except IngestFileError as exc:
        raise BenchmarkError(str(exc)) from None
    if frame.is_empty():
        raise BenchmarkError(f"{path.name} holds no valid event; `earmark ingest` says why.")
    end = days_after(frame)
    held_back = end - timedelta(days=rounds)
    bulk = frame.filter(pl.col("occurred_at") < held_back)
    if bulk.is_empty():
        raise BenchmarkError(f"{path.name} covers too few UTC days; the benchmark holds the last {rounds} "
                             f"back for the incremental runs, so it needs events on at least {rounds + 1} "
                             "days.")
    days = [frame.filter((pl.col("occurred_at") >= held_back + timedelta(r))
                         & (pl.col("occurred_at") < held_back + timedelta(r + 1))) for r in range(rounds)]
    return bulk, days


def _machine() -> dict:
    memory = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), None) if Path("/proc/meminfo").exists() else None
    with db.connect("owner") as conn:
        server = conn.execute("show server_version").fetchone()[0]
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip() or None
    return {"cores": os.cpu_count(), "memory_gib": round(int(memory) / 2**20, 1) if memory else None,
            "python": platform.python_version(), "postgres": server, "commit": commit,
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}


def _median(rounds: list[dict], key: str) -> float:
    return round(statistics.median(r[key] for r in rounds), 3)


def run_benchmark(journeys: int = 1_000_000, events_path: Path | None = None, rounds: int = 3) -> dict:
    if rounds < 1:
        raise BenchmarkError("--rounds must be at least 1.")
    migrate()
    with db.connect("owner") as conn:
        tenant = tenancy.create_tenant(conn, f"bench-attribution-{int(time.time())}", "enterprise")
    bulk, days = _bulk_and_days(journeys, events_path, tenant, rounds)
    with tempfile.TemporaryDirectory(prefix="earmark-bench-") as folder:
        path = Path(folder) / "bulk.parquet"
        bulk.write_parquet(path)
        started = time.perf_counter()
        ingest_file(tenant.id, path)
        load_s = time.perf_counter() - started
    with db.connect("transformer") as conn:
        conn.execute(load("earmark.attribution", "vacuum_events"))

    full = []
    for _ in range(rounds):
        row = {"load_average": _load_average()}
        row["peer_s"] = round(run_peer(bulk)["compute_s"], 3)
        row["load_average_earmark"] = _load_average()
        ran = earmark_run("--full-refresh")
        row.update({key: ran[key] for key in ("model_s", "dbt_s", "ingest_s", "wall_s",
                                              "outside_dbt_and_ingest", "run_id")})
        row["sort_floor_s"] = sort_floor(str(tenant.id))
        full.append(row)

    incremental = []
    for number, day in enumerate(days):
        row = {"load_average": _load_average(), "events": day.height}
        day.write_parquet(landing_folder(str(tenant.id)) / f"bench-day-{number + 1}.parquet")
        ran = earmark_run()
        row.update({key: ran[key] for key in ("ingest_s", "model_s", "dbt_s", "wall_s",
                                              "outside_dbt_and_ingest", "run_id")})
        incremental.append(row)

    kinds = bulk["event_type"].value_counts()
    counts = dict(zip(kinds["event_type"], kinds["count"], strict=True))
    return {
        "machine": _machine(),
        "tenant_id": str(tenant.id),
        "journeys": journeys if events_path is None else None,
        "events": bulk.height,
        "touchpoints": counts.get("touchpoint", 0),
        "conversions": counts.get("conversion", 0),
        "incremental_events": sum(day.height for day in days),
        "load_s": round(load_s, 3),
        "full_refresh": full,
        "incremental": incremental,
        "median": {
            "peer_s": _median(full, "peer_s"),
            "full_refresh_model_s": _median(full, "model_s"),
            "full_refresh_wall_s": _median(full, "wall_s"),
            "sort_floor_s": _median(full, "sort_floor_s"),
            "incremental_model_s": _median(incremental, "model_s"),
            "incremental_wall_s": _median(incremental, "wall_s"),
        },
    }
