"""Download counting benchmark (issue 13 point 7): a week of podcast traffic from file to counted tables.

    .venv/bin/python bench/downloads_bench.py [--requests 10000000] [--episodes 5000] [--json]

Builds a catalog (shows, 5,000 episodes with enclosure URLs, sizes, durations, ID3 tags, dai and baked ad
slots) for a fresh tenant, writes a request log of N requests over 7 UTC days in a child process (numpy and
polars; not timed), then times, in this process, `earmark.downloads.ingest.ingest_file` (its phases) and
`earmark.downloads.counted.count_days` over the 7 days (both window modes, its phases), and reports the
peak resident set of this process (getrusage ru_maxrss; the generator ran in the child, so it is not in it)
and of the Postgres server while they ran (sampled from /proc every 0.2 s: the backends' private memory
RssAnon summed, plus the largest RssShmem once, i.e. the shared buffers they touched).

It runs against the configured database (the dev database: run it from the repository root) unless
`--private` starts an embedded server in a temporary home, as bench/ingest_bench.py does. The week is the
first Monday at least 3 days after every day any tenant has loaded, so count_days counts this tenant
alone; the tenant and its rows are left in place (nothing is deleted).

The traffic is described in bench/downloads_traffic.py, which builds it.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import os
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import polars as pl
from downloads_catalog import make_catalog

TRAFFIC = Path(__file__).with_name("downloads_traffic.py")


# --- the measurement ----------------------------------------------------------------------------

class ServerMemory:
    """Samples the Postgres server's processes (children of the postmaster) every `every` seconds."""

    def __init__(self, postmaster: int | None, every: float = 0.2) -> None:
        self.postmaster, self.every = postmaster, every
        self.peak_private = self.peak_shared = self.peak_total = 0
        self.peak_backend_hwm = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> ServerMemory:
        if self.postmaster:
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _pids(self) -> list[int]:
        pids = [self.postmaster]
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    with open(f"/proc/{entry.name}/stat", "rb") as handle:
                        fields = handle.read().rsplit(b")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.postmaster:
                    pids.append(int(entry.name))
        return pids

    def _run(self) -> None:
        while not self._stop.is_set():
            private = shared = 0
            for pid in self._pids():
                try:
                    with open(f"/proc/{pid}/status") as handle:
                        status = dict(line.split(":", 1) for line in handle if ":" in line)
                except OSError:
                    continue
                kib = {key: int(status.get(key, "0 kB").split()[0])
                       for key in ("RssAnon", "RssShmem", "VmHWM")}
                private += kib["RssAnon"]
                shared = max(shared, kib["RssShmem"])
                if pid != self.postmaster:
                    self.peak_backend_hwm = max(self.peak_backend_hwm, kib["VmHWM"])
            self.peak_private = max(self.peak_private, private)
            self.peak_shared = max(self.peak_shared, shared)
            self.peak_total = max(self.peak_total, private + shared)
            self._stop.wait(self.every)

    def figures(self) -> dict:
        if not self.postmaster:
            return {"server_memory": "not measured (not the embedded server)"}
        mib = 1024
        return {"server_peak_mib": self.peak_total // mib,
                "server_private_peak_mib": self.peak_private // mib,
                "server_shared_peak_mib": self.peak_shared // mib,
                "server_largest_backend_hwm_mib": self.peak_backend_hwm // mib}


class SqlTimes:
    """--trace: wall seconds per SQL statement (the first words of its text), COPY included (its slices are
    written by polars while the server reads the last one), for finding where a phase waits on the server."""

    def __init__(self) -> None:
        self.seconds: dict[str, list[float]] = {}

    def __enter__(self) -> SqlTimes:
        import psycopg

        self._saved = psycopg.Connection.execute, psycopg.Cursor.executemany, psycopg.Cursor.copy
        execute, executemany, copy = self._saved
        times = self

        def label(owner, query) -> str:
            text = query if isinstance(query, str) else query.as_string(owner)
            lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("--")]
            return " ".join(" ".join(lines).split())[:70]

        def timed_execute(conn, query, params=None, **kw):
            started = time.perf_counter()
            try:
                return execute(conn, query, params, **kw)
            finally:
                kind = f" {params.get('kind', '')}" if isinstance(params, dict) else ""
                times.add(label(conn, query) + kind, started)

        def timed_executemany(cur, query, params_seq, **kw):
            started = time.perf_counter()
            try:
                return executemany(cur, query, params_seq, **kw)
            finally:
                times.add("executemany " + label(cur.connection, query), started)

        from contextlib import contextmanager

        @contextmanager
        def timed_copy(cur, statement, params=None, **kw):
            started = time.perf_counter()
            with copy(cur, statement, params, **kw) as handle:
                yield handle
            times.add(label(cur.connection, statement), started)

        psycopg.Connection.execute, psycopg.Cursor.executemany, psycopg.Cursor.copy = (
            timed_execute, timed_executemany, timed_copy)
        return self

    def add(self, name: str, started: float) -> None:
        entry = self.seconds.setdefault(name, [0, 0.0])
        entry[0] += 1
        entry[1] += time.perf_counter() - started

    def __exit__(self, *exc) -> None:
        import psycopg

        psycopg.Connection.execute, psycopg.Cursor.executemany, psycopg.Cursor.copy = self._saved

    def top(self, n: int = 25) -> list[tuple[str, int, float]]:
        rows = sorted(self.seconds.items(), key=lambda kv: -kv[1][1])[:n]
        return [(name, calls, round(seconds, 3)) for name, (calls, seconds) in rows]


def _week(conn) -> date:
    """The first Monday at least 3 days after every day any tenant has loaded (and not before 2027-01-04)."""
    last = conn.execute("select max(last_day) from downloads.batches "
                        "where status = 'succeeded'").fetchone()[0]
    day = max(date(2027, 1, 4), (last or date(2027, 1, 1)) + timedelta(days=3))
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _insert_catalog(conn, tenant_id, catalog: dict[str, pl.DataFrame]) -> None:
    shows, eps, slots = catalog["shows"], catalog["episodes"], catalog["ad_slots"]
    conn.execute("insert into catalog.shows (tenant_id, show_id, title) select %s, * from unnest(%s::text[], "
                 "%s::text[])", (tenant_id, shows["show_id"].to_list(), shows["title"].to_list()))
    conn.execute("insert into catalog.episodes (tenant_id, episode_id, show_id, published_at, enclosure_url, "
                 "bytes_total, duration_s, id3_bytes) select %s, * from unnest(%s::text[], %s::text[], "
                 "%s::timestamptz[], %s::text[], %s::bigint[], %s::numeric[], %s::bigint[])",
                 (tenant_id, *[eps[c].to_list() for c in ("episode_id", "show_id", "published_at",
                                                          "enclosure_url", "bytes_total", "duration_s",
                                                          "id3_bytes")]))
    conn.execute("insert into catalog.ad_slots (tenant_id, ad_id, episode_id, kind, start_byte, end_byte) "
                 "select %s, * from unnest(%s::text[], %s::text[], %s::text[], %s::bigint[], %s::bigint[])",
                 (tenant_id, *[slots[c].to_list() for c in slots.columns]))


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _mix(conn, tenant_id) -> dict:
    """What counting decided, per mode and reason (read after the timing)."""
    from earmark.downloads import reasons

    rows = conn.execute("select fixed_reason, rolling_reason, count(*) from downloads.request_outcomes "
                        "where tenant_id = %s group by 1, 2", (tenant_id,)).fetchall()
    mix: dict[str, dict[str, int]] = {"fixed": {}, "rolling": {}}
    for fixed, rolling, n in rows:
        for mode, code in (("fixed", fixed), ("rolling", rolling)):
            name = reasons.NAMES.get(code, "counted")
            mix[mode][name] = mix[mode].get(name, 0) + n
    return {mode: dict(sorted(m.items(), key=lambda kv: -kv[1])) for mode, m in mix.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000_000)
    parser.add_argument("--episodes", type=int, default=5_000)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--private", action="store_true", help="an embedded server in a temporary home")
    parser.add_argument("--profile", type=Path, help="cProfile ingest and count; top functions to this file")
    parser.add_argument("--trace", action="store_true", help="time each SQL statement (a diagnosis only)")
    parser.add_argument("--keep-log", type=Path, help="keep the generated log at this path")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    home = None
    if args.private:
        home = Path(tempfile.mkdtemp(prefix="earmark-bench-downloads-"))
        os.environ["EARMARK_HOME"] = str(home)
        os.environ.pop("DATABASE_URL", None)

    from earmark import db, server, tenancy
    from earmark.downloads.counted import count_days
    from earmark.downloads.ingest import ingest_file
    from earmark.settings import get_settings

    scratch = Path(tempfile.mkdtemp(prefix="earmark-downloads-log-"))
    try:
        if args.private:
            from earmark.migrate import migrate
            migrate()
        settings = get_settings()
        with db.connect("owner") as conn:
            first = _week(conn)
            tenant = tenancy.create_tenant(conn, f"bench-downloads-{uuid.uuid4().hex[:8]}", "enterprise")
            catalog = make_catalog(args.seed, args.episodes, first)
            _insert_catalog(conn, tenant.id, catalog)
            conn.commit()
        last = first + timedelta(days=args.days - 1)
        path = args.keep_log or scratch / "requests.csv"
        child = subprocess.run([sys.executable, str(TRAFFIC), "--write-log", str(path), "--write-log-start",
                                first.isoformat(), "--requests", str(args.requests), "--episodes",
                                str(args.episodes), "--days", str(args.days), "--seed", str(args.seed)],
                               check=True, capture_output=True, text=True)
        generated = json.loads(child.stdout.strip().splitlines()[-1])
        postmaster = server.status(settings).pid if settings.uses_embedded_server else None
        profile = cProfile.Profile() if args.profile else None
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        figures: dict = {"tenant": str(tenant.id), "days": f"{first}..{last}", "requests": args.requests,
                         "episodes": catalog["episodes"].height, "ad_slots": catalog["ad_slots"].height,
                         "generated": generated, "load_before_ingest": _load()}
        trace = SqlTimes() if args.trace else contextlib.nullcontext()
        with ServerMemory(postmaster) as memory, trace:
            started = time.perf_counter()
            if profile:
                profile.enable()
            loaded = ingest_file(tenant.id, path)
            ingested = time.perf_counter()
            rss_ingest = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            figures["load_before_count"] = _load()
            summary = count_days(first, last)
            counted = time.perf_counter()
            if profile:
                profile.disable()
        figures.update(
            ingest_s=round(ingested - started, 2), ingest_phases=loaded.phases, ingest_counts=loaded.counts(),
            count_s=round(counted - ingested, 2), count_phases=summary.phases,
            counted_tenants=summary.tenants, counted_requests=summary.requests, downloads=summary.downloads,
            total_s=round(counted - started, 2),
            rss_before_mib=rss_before // 1024, peak_rss_after_ingest_mib=rss_ingest // 1024,
            peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, **memory.figures(),
            load_after=_load())
        figures["goal_met"] = figures["total_s"] <= 60 and figures["peak_rss_mib"] <= 4096
        if args.trace:
            figures["sql"] = trace.top()
        with db.connect("owner") as conn:
            figures["mix"] = _mix(conn, tenant.id)
        if profile:
            with args.profile.open("w") as out:
                stats = pstats.Stats(profile, stream=out)
                stats.sort_stats("cumulative").print_stats(60)
                stats.sort_stats("tottime").print_stats(40)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if home is not None:
            from earmark import server as embedded
            from earmark.settings import get_settings as current

            embedded.stop(current())
            shutil.rmtree(home, ignore_errors=True)
    if args.json:
        print(json.dumps(figures, default=str))
    else:
        for key, value in figures.items():
            print(f"{key:>24}: {value}")


if __name__ == "__main__":
    main()
