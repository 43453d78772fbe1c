"""Scale curve (issue 10, point 5): ingestion and attribution at 100 k, 1 M and 5 M journeys.

    .venv/bin/python bench/scale_bench.py [--journeys 100000,1000000,5000000] [--json]

Each size gets its own EARMARK_HOME and embedded Postgres, and goes through the commands a user runs, each
in its own process (so each stage's peak memory is its own): `earmark ingest` of the bulk file (90 days of
earmark.attribution.synthetic journeys, Parquet), `earmark run --full-refresh`, then one more day (1 % of
the journeys) landed and `earmark run` (its ingestion and the incremental attribution). Per stage it
reports wall seconds, the peak resident memory of the Python processes (the command and its dbt child
together), the peak private memory of all Postgres processes together (sampled from
/proc/PID/smaps_rollup every 0.2 s: sorts, hashes and work_mem, not the shared buffers) and the bytes
Postgres spilled to temporary files. `seconds_per_n_log_n` is the wall time divided by n log2 n (n =
events): flat across sizes means the n log n growth the issue expects.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

EARMARK = str(Path(sys.executable).with_name("earmark"))


class TreeMemory(threading.Thread):
    """Peak memory of a process and its descendants together, sampled every 0.2 s while a stage runs.

    `private`: private pages only (smaps_rollup), for Postgres, whose backends all map the shared buffers;
    otherwise the resident set (VmRSS), for the Python command and its dbt child. Sampled rather than
    taken from wait4: a child's ru_maxrss starts from its parent's resident set at fork.
    """

    def __init__(self, root: int, private: bool) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.private = private
        self.peak = 0
        self._done = threading.Event()

    def _tree(self) -> list[int]:
        parents: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except OSError:
                    continue
        tree, frontier = [self.root], [self.root]
        while frontier:
            frontier = [pid for pid, parent in parents.items() if parent in frontier]
            tree.extend(frontier)
        return tree

    def _kib(self, pid: int) -> int:
        name, fields = (("smaps_rollup", ("Private_Clean:", "Private_Dirty:")) if self.private
                        else ("status", ("VmRSS:",)))
        try:
            text = Path(f"/proc/{pid}/{name}").read_text()
        except OSError:
            return 0
        return sum(int(line.split()[1]) for line in text.splitlines() if line.startswith(fields))

    def run(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, sum(self._kib(pid) for pid in self._tree()))
            self._done.wait(0.2)

    def stop(self) -> int:
        self._done.set()
        self.join()
        return self.peak


def _postmaster(home: Path) -> int:
    return int((home / "pgdata" / "postmaster.pid").read_text().splitlines()[0])


def _temp_bytes() -> int:
    from earmark import db

    with db.connect("owner") as conn:
        return int(conn.execute("select coalesce(sum(temp_bytes), 0) from pg_stat_database").fetchone()[0])


def stage(home: Path, *args: str) -> dict:
    """Run `earmark ARGS` in its own process; wall time, peak memories, temp bytes and its JSON answer."""
    postgres = TreeMemory(_postmaster(home), private=True)
    spilled = _temp_bytes()
    postgres.start()
    started = time.perf_counter()
    done = subprocess.Popen([EARMARK, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    python = TreeMemory(done.pid, private=False)
    python.start()
    out, err = done.communicate()
    wall = time.perf_counter() - started
    python_peak, pg_peak = python.stop(), postgres.stop()
    if done.returncode != 0:
        raise SystemExit(f"earmark {' '.join(args)} failed: {err.strip()}")
    return {
        "wall_s": round(wall, 2),
        "python_peak_mib": round(python_peak / 1024),
        "postgres_peak_private_mib": round(pg_peak / 1024),
        "postgres_temp_mib": round((_temp_bytes() - spilled) / 2**20),
        "answer": json.loads(out.strip().splitlines()[-1]) if out.strip() else None,
    }


def one_size(journeys: int) -> dict:
    home = Path(tempfile.mkdtemp(prefix=f"earmark-scale-{journeys}-"))
    os.environ["EARMARK_HOME"] = str(home)
    os.environ.pop("DATABASE_URL", None)
    from earmark import server
    from earmark.attribution.synthetic import days_after, generate_journeys
    from earmark.migrate import migrate
    from earmark.orchestration import landing_folder
    from earmark.settings import get_settings

    try:
        migrate()
        tenant = json.loads(subprocess.run([EARMARK, "tenants", "create", "--name", f"scale-{journeys}",
                                            "--tier", "enterprise", "--json"], capture_output=True, text=True,
                                           check=True).stdout)["id"]
        started = time.perf_counter()
        bulk = generate_journeys(journeys, days=90)
        day = generate_journeys(max(journeys // 100, 1), seed=8, days=1,
                                start=days_after(bulk).date(), id_prefix="d91-")
        bulk_path, day_path = home / "bulk.parquet", home / "day.parquet"
        bulk.write_parquet(bulk_path)
        day.write_parquet(day_path)
        events, day_events = bulk.height, day.height
        generate_s = time.perf_counter() - started
        del bulk, day
        ingest = stage(home, "ingest", "--tenant", tenant, str(bulk_path), "--json")
        full = stage(home, "run", "--full-refresh", "--json")
        shutil.move(day_path, landing_folder(tenant) / day_path.name)
        incremental = stage(home, "run", "--json")
        stages = {"ingest": ingest, "full_refresh": full, "incremental_day": incremental}
        n_log_n = events * math.log2(events)
        for name, figures in stages.items():
            figures["seconds_per_n_log_n"] = float(f"{figures['wall_s'] / n_log_n:.3e}")
            answer = figures.pop("answer") or {}
            if name != "ingest":
                figures["model_s"] = (answer.get("attributed") or {}).get("model_seconds_total")
        return {"journeys": journeys, "events": events, "day_events": day_events,
                "generate_s": round(generate_s, 2), "load_average": [round(x, 2) for x in os.getloadavg()],
                **stages}
    finally:
        server.stop(get_settings())
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", default="100000,1000000,5000000")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # one size, in a process of its own
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_size(args.one)))
        return
    results = []
    for size in args.journeys.split(","):
        done = subprocess.run([sys.executable, __file__, "--one", size], capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(done.stderr.strip().splitlines()[-1])
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    if args.json:
        print(json.dumps(results))
        return
    for result in results:
        print(f"{result['journeys']:>9,} journeys, {result['events']:>11,} events")
        for name in ("ingest", "full_refresh", "incremental_day"):
            print(f"    {name:>16}: {result[name]}")


if __name__ == "__main__":
    main()
