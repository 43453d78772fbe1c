"""Read API throughput: GET /api/v1/attribution/channels against a tenant with 1,000,000 journeys.

Goal (read API issue, point 7): >= 1,500 requests/s with p99 <= 50 ms on a 2-core machine, beside the
same run's GET /healthz. Needs wrk (Debian: `apt-get install -y wrk`).

Run: .venv/bin/python bench/api_bench.py [--journeys 1000000] [--workers 2] [--connections 32]
     [--duration 20] [--rounds 1] [--home /tmp/earmark-api-bench] [--reuse]
It loads the journeys (synthetic generator + COPY), builds the marts with dbt, mints a key, starts
`earmark serve` and drives it with wrk. Prints Markdown table rows for bench/RESULTS.md.
--reuse skips loading and dbt when the home already holds the benchmark tenant.
"""

from __future__ import annotations

import argparse
import json
import os
import re
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
    from earmark import db, tenancy
    from earmark.attribution import dbt_env, synthetic

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
    return str(tenant.id)


def existing_tenant(env: dict) -> str | None:
    found = json.loads(earmark("tenants", "list", "--json", env=env))
    return next((t["id"] for t in found if t["name"] == TENANT_NAME), None)


def load_average() -> float:
    """1-minute load average: other work on the machine skews every figure, so it is reported."""
    return os.getloadavg()[0]


def wrk(url: str, key: str | None, connections: int, duration: int) -> dict:
    load_before = load_average()
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url]
    if key:
        command[1:1] = ["-H", f"Authorization: Bearer {key}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout

    def millis(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": millis("50"),
        "p99": millis("99"),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "load": (load_before, load_average()),
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
        "EARMARK_API_POOL_MAX_SIZE": "8",
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
        wrk(channels, key, args.connections, 3)  # warm-up: prepared statements, pools, caches
        results = []
        for _ in range(args.rounds):  # alternate, so both endpoints see the same machine
            results.append(("GET /healthz", wrk(base + "/healthz", None, args.connections, args.duration)))
            results.append(("GET /api/v1/attribution/channels",
                            wrk(channels, key, args.connections, args.duration)))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    print("\n| endpoint | workers | connections | req/s | p50 ms | p99 ms | non-2xx | load before/after "
          "| goal |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, found in results:
        met = found["rps"] >= GOAL_RPS and found["p99"] <= GOAL_P99_MS
        print(
            f"| {name} | {args.workers} | {args.connections} | {found['rps']:,.0f} | {found['p50']:.1f} | "
            f"{found['p99']:.1f} | {found['non_2xx']} | {found['load'][0]:.1f} / {found['load'][1]:.1f} | "
            f"{'met' if met else 'missed'} |"
        )


if __name__ == "__main__":
    main()
