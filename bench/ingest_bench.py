"""Ingestion benchmark: N canonical events from one CSV through validation and COPY into raw.events.

    .venv/bin/python bench/ingest_bench.py [--events 4000000] [--json]

Generates the file with earmark.demo (about 3.7 touches per journey), ingests it into a fresh tenant
of a private embedded Postgres, then ingests it again (every row a duplicate), and prints timings per
phase. Goal (foundation issue): 4 million events from CSV well under a minute on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=4_000_000)
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
        with db.connect("owner") as conn:
            tenant = tenancy.create_tenant(conn, f"bench-{uuid.uuid4().hex[:8]}", "enterprise")

        started = time.perf_counter()
        raw = read(path)
        read_s = time.perf_counter() - started
        started = time.perf_counter()
        validate(raw, tenant.id, "UTC", path.name)
        validate_s = time.perf_counter() - started

        first = ingest_file(tenant.id, path)
        second = ingest_file(tenant.id, path)
        figures = {
            "events": events.height,
            "file_mb": round(path.stat().st_size / 1e6, 1),
            "read_s": round(read_s, 2),
            "validate_s": round(validate_s, 2),
            "ingest_s": first.seconds,
            "loaded": first.loaded,
            "events_per_s": round(first.loaded / first.seconds),
            "phases": first.phases,
            "reingest_s": second.seconds,
            "reingest_phases": second.phases,
            "reingest_duplicates": second.duplicates,
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
