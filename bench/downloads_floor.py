"""The server's floor for download counting on this machine: what storing 10 M requests as rows costs
before anything is parsed or counted (bench/RESULTS.md, "Where the floor is").

A bare table of downloads.requests' 13 columns filled with random rows by COPY (CSV written by polars, as
ingest does), its primary key and ts index, a COPY out of the columns counting reads, and a COPY of one
narrow outcome row per request (bigint numbers only) with its key. Tables in `public` of the dev database,
dropped at the end.

    .venv/bin/python bench/downloads_floor.py [ROWS]
"""

from __future__ import annotations

import sys
import time

import numpy as np
import polars as pl

from earmark import db
from earmark.downloads.copying import copy_in, copy_out

REQUESTS = """create table public.floor_requests (
    request_id text collate "C" not null, ts timestamptz not null, method text not null,
    address_id bigint not null, ip_key bigint not null, ua_id bigint not null, url_id bigint not null,
    referer_id bigint not null, range_kind smallint not null, range_a bigint, range_b bigint,
    status smallint not null, bytes_sent bigint not null)"""
OUTCOMES = """create table public.floor_outcomes (request_no bigint not null, fixed_reason smallint not null,
    fixed_download bigint, rolling_reason smallint not null, rolling_download bigint)"""
READ = """copy (select request_id, floor(extract(epoch from ts) * 1000)::bigint, method, status, ip_key,
    address_id, ua_id, url_id, range_kind, range_a, range_b, bytes_sent from public.floor_requests)
    to stdout (format csv)"""
READ_SCHEMA = {"request_id": pl.String, "ts_ms": pl.Int64, "method": pl.String, "status": pl.Int32,
               "ip_key": pl.Int64, "address_id": pl.Int64, "ua_id": pl.Int64, "url_id": pl.Int64,
               "range_kind": pl.Int8, "range_a": pl.Int64, "range_b": pl.Int64, "bytes_sent": pl.Int64}


def requests(n: int) -> pl.DataFrame:
    rng = np.random.default_rng(1)
    alphabet = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", np.uint8)
    ids = alphabet[rng.integers(0, 32, (n, 20), dtype=np.uint8)].view("S20").ravel()
    ts = np.sort(rng.integers(1_800_000_000_000, 1_800_000_000_000 + 7 * 86_400_000, n))

    def keys() -> np.ndarray:
        return rng.integers(-2**62, 2**62, n)

    return pl.DataFrame({
        "request_id": pl.Series(ids).cast(pl.String), "ts": pl.from_epoch(pl.Series(ts), "ms"),
        "method": pl.Series(["GET"] * n), "address_id": keys(), "ip_key": keys(), "ua_id": keys(),
        "url_id": keys(), "referer_id": keys(), "range_kind": rng.integers(0, 4, n).astype(np.int16),
        "range_a": rng.integers(0, 10**8, n), "range_b": rng.integers(0, 10**8, n),
        "status": np.full(n, 206, np.int16), "bytes_sent": rng.integers(0, 10**7, n)})


def timed(label: str, step) -> float:
    started = time.perf_counter()
    step()
    seconds = time.perf_counter() - started
    print(f"| {label} | {seconds:.1f} s |", flush=True)
    return seconds


def filled(conn, create: str, table: str, frame: pl.DataFrame, label: str,
           keys: dict[str, str]) -> float:
    """Seconds to create `table`, COPY `frame` into it and build each of `keys` (label: DDL), in one
    transaction as ingest and counting do."""
    with conn.transaction():
        conn.execute(create)
        seconds = timed(label, lambda: copy_in(conn, f"copy {table} from stdin (format csv)", frame))
        for key_label, ddl in keys.items():
            seconds += timed(key_label, lambda ddl=ddl: conn.execute(ddl))
    return seconds


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
    frame = requests(n)
    outcomes = pl.DataFrame({"request_no": np.arange(n), "fixed_reason": np.zeros(n, np.int16),
                             "fixed_download": np.arange(n), "rolling_reason": np.zeros(n, np.int16),
                             "rolling_download": np.arange(n)})
    with db.connect("owner") as conn:
        conn.execute("set maintenance_work_mem = '1GB'")
        conn.execute("set work_mem = '512MB'")
        try:
            total = filled(conn, REQUESTS, "public.floor_requests", frame, "COPY in of the requests", {
                "primary key on request_id": "alter table public.floor_requests add primary key (request_id)",
                "index on ts": "create index on public.floor_requests (ts)"})
            total += timed("COPY out into polars", lambda: copy_out(conn, READ, {}, READ_SCHEMA))
            total += filled(conn, OUTCOMES, "public.floor_outcomes", outcomes, "COPY in of narrow outcomes", {
                "their primary key": "alter table public.floor_outcomes add primary key (request_no)"})
        finally:
            conn.rollback()
            conn.execute("drop table if exists public.floor_requests, public.floor_outcomes")
            conn.commit()
    print(f"| **sum** | **{total:.1f} s** |")


if __name__ == "__main__":
    main()
