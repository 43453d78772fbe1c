"""Ingestion benchmark: N canonical events from one CSV through validation and COPY into raw.events.

    .venv/bin/python bench/ingest_bench.py [--events 4000000] [--json]

Generates the file with earmark.demo (about 3.7 touches per journey), then, `--rounds` times one after
the other on a private embedded Postgres: a bare `psql \copy` of the same file into an unindexed table
(the peer, issue 10 point 3), an ingest into a fresh tenant, and an ingest of the same file again (every
row a duplicate), each with the load average before it; prints timings per phase and the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path


def bare_copy(path: Path, columns: list[str]) -> float:
    """Seconds for `psql \\copy` of the file into an unindexed table of the same columns (no checks)."""
    from earmark import db
    from earmark.server import client_binary

    types = {"occurred_at": "timestamptz", "revenue": "numeric"}
    table = ", ".join(f"{name} {types.get(name, 'text')}" for name in columns)
    with db.connect("owner") as conn:
        conn.execute("drop table if exists public.bare_copy")
        conn.execute(f"create table public.bare_copy ({table})")
    started = time.perf_counter()
    subprocess.run([str(client_binary("psql")), db.url("owner"), "-q", "-c",
                    f"\\copy public.bare_copy from '{path}' with (format csv, header true)"], check=True)
    seconds = time.perf_counter() - started
    with db.connect("owner") as conn:
        conn.execute("drop table public.bare_copy")
    return round(seconds, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=4_000_000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="earmark-bench-ingest-"))
    os.environ["EARMARK_HOME"] = str(home)
    os.environ.pop("DATABASE_URL", None)

    from earmark import db, server, tenancy
    from earmark.demo import generate_events, write_event_file
    from earmark.ingest import ingest_file
    from earmark.ingest.reader import read
    from earmark.ingest.validate import validate
    from earmark.migrate import migrate
    from earmark.settings import get_settings

    try:
        migrate()
        journeys = max(1, round(args.events / 3.98))
        events = generate_events(journeys, seed=11).head(args.events)
        path = home / "events.csv"
        write_event_file(events, path, "csv")
        started = time.perf_counter()
        raw = read(path)
        read_s = time.perf_counter() - started
        started = time.perf_counter()
        validate(raw, uuid.uuid4(), "UTC", path.name)
        validate_s = time.perf_counter() - started
        del raw

        rounds = []
        for _ in range(args.rounds):
            row = {"load_average": [round(x, 2) for x in os.getloadavg()]}
            row["bare_copy_s"] = bare_copy(path, list(events.columns))
            with db.connect("owner") as conn:
                tenant = tenancy.create_tenant(conn, f"bench-{uuid.uuid4().hex[:8]}", "enterprise")
            row["load_average_ingest"] = [round(x, 2) for x in os.getloadavg()]
            first = ingest_file(tenant.id, path)
            second = ingest_file(tenant.id, path)
            row.update(ingest_s=first.seconds, loaded=first.loaded, phases=first.phases,
                       reingest_s=second.seconds, reingest_duplicates=second.duplicates,
                       ratio=round(first.seconds / row["bare_copy_s"], 2),
                       reingest_ratio=round(second.seconds / row["bare_copy_s"], 2))
            rounds.append(row)
        figures = {
            "events": events.height,
            "file_mb": round(path.stat().st_size / 1e6, 1),
            "read_s": round(read_s, 2),
            "validate_s": round(validate_s, 2),
            "rounds": rounds,
        }
    finally:
        server.stop(get_settings())
        shutil.rmtree(home, ignore_errors=True)
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>20}: {value}")


if __name__ == "__main__":
    main()
