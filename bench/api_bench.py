"""Read API throughput: GET /api/v1/attribution/channels against a tenant with 1,000,000 journeys.

Goal (read API issue, point 7): >= 1,500 requests/s with p99 <= 50 ms on a 2-core machine, beside the
same run's GET /healthz. Needs wrk (Debian: `apt-get install -y wrk`).

Run: .venv/bin/python bench/api_bench.py [--journeys 1000000] [--workers 2] [--connections 32]
     [--duration 20] [--rounds 1] [--home /tmp/earmark-api-bench] [--reuse]
It loads the journeys (synthetic generator + COPY), builds the marts with dbt, vacuums (so autovacuum
does not compete with the measurement), mints a key, starts `earmark serve` with the default pool and
drives it with wrk. Prints Markdown table rows for bench/RESULTS.md, with the CPU each request cost in
the API workers, in Postgres and in wrk (from /proc and getrusage), which tells where the two cores went.
--reuse skips loading and dbt when the home already holds the benchmark tenant.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TENANT_NAME = "api-bench"
GOAL_RPS, GOAL_P99_MS = 1_500, 50.0


def earmark(*args: str, env: dict) -> str:
    done = subprocess.run(
        [sys.executable, "-c", "from earmark.cli import main; main()", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return done.stdout


def load(journeys: int, env: dict) -> str:
    """Create the tenant, COPY the journeys, run dbt; returns the tenant id."""
    os.environ.update(env)
    import psycopg

    from earmark import db, tenancy
    from earmark.attribution import dbt_env, synthetic
    from earmark.settings import get_settings

    with db.connect("owner") as conn:
        tenant = tenancy.create_tenant(conn, TENANT_NAME, "enterprise")
    began = time.perf_counter()
    frame = synthetic.generate_journeys(journeys, seed=2026)
    with db.connect("transformer") as conn:
        rows = synthetic.copy_events(conn, tenant.id, frame)
        conn.commit()
    print(
        f"loaded {rows:,} events for {journeys:,} journeys in {time.perf_counter() - began:.1f} s", flush=True
    )
    began = time.perf_counter()
    dbt_env.run_dbt("build", "--exclude", "resource_type:test", "resource_type:unit_test").check_returncode()
    print(f"dbt build in {time.perf_counter() - began:.1f} s", flush=True)
    began = time.perf_counter()
    with psycopg.connect(db.url("admin", database=get_settings().database_name), autocommit=True) as conn:
        # Else autovacuum of the fresh 4M rows and the writeback of the load run during the first rounds.
        conn.execute("vacuum (analyze)")
        conn.execute("checkpoint")
    print(f"vacuum and checkpoint in {time.perf_counter() - began:.1f} s", flush=True)
    return str(tenant.id)


def existing_tenant(env: dict) -> str | None:
    found = json.loads(earmark("tenants", "list", "--json", env=env))
    return next((t["id"] for t in found if t["name"] == TENANT_NAME), None)


def load_average() -> float:
    """1-minute load average: other work on the machine skews every figure, so it is reported."""
    return os.getloadavg()[0]


def busy_fraction(seconds: float = 1.0) -> float:
    """Share of both cores busy over `seconds` (from /proc/stat), whoever used them."""

    def sample() -> tuple[int, int]:
        fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        return sum(fields), fields[3] + fields[4]  # total, idle + iowait

    total, idle = sample()
    time.sleep(seconds)
    total2, idle2 = sample()
    return 1 - (idle2 - idle) / max(1, total2 - total)


def wait_for_quiet(limit: float = 0.15, patience: float = 90.0) -> float:
    """Wait (up to `patience` s) until the machine is nearly idle, e.g. until autovacuum or writeback
    after the load has finished; returns the last busy share, which is reported with the figures."""
    deadline = time.monotonic() + patience
    busy = busy_fraction()
    while busy > limit and time.monotonic() < deadline:
        busy = busy_fraction(2.0)
    return busy


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes so far (fields 14 and 15 of /proc/PID/stat)."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue  # exited between listing and reading
        ticks += int(fields[11]) + int(fields[12])
    return ticks / CLOCK_TICKS


def processes() -> list[tuple[int, int, int]]:
    """(pid, parent pid, session id) of every process."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            found.append((int(entry.name), int(fields[1]), int(fields[3])))
    return found


def postgres_pids(home: str) -> list[int]:
    """The postmaster of the benchmark's embedded server and its children (the backends).

    Only processes alive at both ends of a round count: the API's pooled backends are, a worker that
    exits during the round (autovacuum, parallel query) is not, so Postgres's share can read low."""
    postmaster = int((Path(home) / "pgdata" / "postmaster.pid").read_text().split()[0])
    return [postmaster] + [pid for pid, parent, _ in processes() if parent == postmaster]


def api_pids(session: int) -> list[int]:
    """The server started in its own session, with its worker processes."""
    return [pid for pid, _, sid in processes() if sid == session]


def wrk(url: str, key: str | None, connections: int, duration: int, api: int, home: str) -> dict:
    busy_before = wait_for_quiet()
    load_before = load_average()
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url]
    if key:
        command[1:1] = ["-H", f"Authorization: Bearer {key}"]
    api_before, pg_before = cpu_seconds(api_pids(api)), cpu_seconds(postgres_pids(home))
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk is the only child reaped since
    wrk_cpu = (children.ru_utime - children_before.ru_utime) + (children.ru_stime - children_before.ru_stime)
    api_cpu = cpu_seconds(api_pids(api)) - api_before
    pg_cpu = cpu_seconds(postgres_pids(home)) - pg_before

    def millis(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        # Milliseconds of CPU per request in each party; their sum bounds req/s on the two cores.
        "cpu_ms": tuple(1000 * seconds / requests
                        for seconds in (api_cpu, pg_cpu, wrk_cpu)),
        "p50": millis("50"),
        "p99": millis("99"),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "load": (load_before, load_average()),
        "busy_before": busy_before,
        "raw": out,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=1, help="healthz/channels pairs to run")
    parser.add_argument("--port", type=int, default=8711)
    parser.add_argument("--home", default="/tmp/earmark-api-bench")
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: install it with `apt-get install -y wrk` (Debian/Ubuntu).")

    env = {
        **os.environ,
        "EARMARK_HOME": args.home,
        "EARMARK_ENV": "development",
        # The limiter still runs its upsert on every request; scaled so it does not refuse wrk.
        "EARMARK_API_RATE_LIMIT_SCALE": "100",
    }
    env.pop("DATABASE_URL", None)
    earmark("migrate", env=env)
    tenant_id = existing_tenant(env) if args.reuse else None
    if tenant_id is None:
        tenant_id = load(args.journeys, env)
    key = json.loads(earmark("keys", "create", "--tenant", tenant_id, "--name", "bench", "--json", env=env))[
        "key"
    ]

    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from earmark.cli import main; main()",
            "serve",
            "--port",
            str(args.port),
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        channels = f"{base}/api/v1/attribution/channels?model=linear"
        sample = urllib.request.Request(channels, headers={"Authorization": f"Bearer {key}"})
        body = json.load(urllib.request.urlopen(sample))
        print(f"channels answer: {len(body['rows'])} rows, first {body['rows'][0]}", flush=True)
        measure = {"connections": args.connections, "api": server.pid, "home": args.home}
        wrk(channels, key, duration=3, **measure)  # warm-up: pools, caches
        results = []
        for _ in range(args.rounds):  # alternate, so both endpoints see the same machine
            results.append(("GET /healthz", wrk(base + "/healthz", None, duration=args.duration, **measure)))
            results.append(("GET /api/v1/attribution/channels",
                            wrk(channels, key, duration=args.duration, **measure)))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    print("\n| endpoint | workers | connections | req/s | p50 ms | p99 ms | non-2xx "
          "| CPU ms/req API, PG, wrk | busy before | load before/after | goal |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, found in results:
        met = found["rps"] >= GOAL_RPS and found["p99"] <= GOAL_P99_MS
        print(
            f"| {name} | {args.workers} | {args.connections} | {found['rps']:,.0f} | {found['p50']:.1f} | "
            f"{found['p99']:.1f} | {found['non_2xx']} | {' / '.join(f'{ms:.2f}' for ms in found['cpu_ms'])} "
            f"| {found['busy_before']:.0%} | {found['load'][0]:.1f} / {found['load'][1]:.1f} | "
            f"{'met' if met else 'missed'} |"
        )
    reads = sorted((found["rps"], found["p99"]) for name, found in results if "channels" in name)
    median = reads[len(reads) // 2]
    print(f"\nchannels over {len(reads)} rounds: median {median[0]:,.0f} req/s (p99 {median[1]:.1f} ms), "
          f"best {reads[-1][0]:,.0f} req/s (p99 {reads[-1][1]:.1f} ms); goal {GOAL_RPS:,} req/s at p99 <= "
          f"{GOAL_P99_MS:.0f} ms")


if __name__ == "__main__":
    main()
