"""A request log (CSV or .csv.gz, IAB_COUNTING.md's columns) read in batches and checked row by row.

Rows are numbered from 1, the line after the header (a quoted user agent may span lines; the number is
the record's). A row is rejected with its reason when its request_id is empty or its ts, method, ip, status,
range or bytes_sent cannot be read; everything else about it (an unknown URL, a bot) is decided by counting,
which keeps every loaded request and says why it did not count.
"""

from __future__ import annotations

import gzip
import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from earmark.downloads import rules
from earmark.errors import EarmarkError

COLUMNS = ("request_id", "ts", "method", "ip", "user_agent", "referer", "url", "range", "status",
           "bytes_sent")
ROW = "row_number"
BATCH_ROWS = 1_000_000
MAX_BYTES = 2**62  # any byte offset or count past this is not a file's


class RequestLogError(EarmarkError):
    """A request log that cannot be read at all; nothing of it was loaded."""


@dataclass
class Batch:
    # ROW, request_id, ts_ms, method, ip, user_agent, referer, url, range_*, status, bytes_sent
    valid: pl.DataFrame
    rejected: pl.DataFrame  # ROW, reason, record


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def batches(path: Path, batch_rows: int = BATCH_ROWS) -> Iterator[Batch]:
    """The file's rows, checked, a batch at a time (a 10 M-row log never sits in memory as text)."""
    if not path.is_file():
        raise RequestLogError(f"{path} does not exist or is not a file.")
    name = path.name.lower()
    if not (name.endswith(".csv") or name.endswith(".csv.gz")):
        raise RequestLogError(f"{path.name}: a request log is a .csv or .csv.gz file.")
    with tempfile.TemporaryDirectory(prefix="earmark-requests-") as scratch:
        plain = path
        if name.endswith(".gz"):
            plain = Path(scratch) / "log.csv"
            try:
                with gzip.open(path, "rb") as source, plain.open("wb") as target:
                    shutil.copyfileobj(source, target, 1 << 20)
            except (OSError, EOFError) as exc:
                raise RequestLogError(f"{path.name} is not a readable gzip file ({exc}).") from None
        yield from _read(plain, path.name, batch_rows)


def _read(plain: Path, name: str, batch_rows: int) -> Iterator[Batch]:
    with plain.open("rb") as handle:
        header = handle.readline().decode("utf-8", "replace").removeprefix("\ufeff").strip()
    found = [c.strip().strip('"') for c in header.split(",")]
    missing = [c for c in COLUMNS if c not in found]
    if not header or missing:
        raise RequestLogError(f"{name} lacks the column(s) {', '.join(missing or COLUMNS)}; "
                              f"a request log's header is {','.join(COLUMNS)}.")
    try:
        # Streaming: a batch at a time, in file order, every value a string ('' for an empty field).
        scan = pl.scan_csv(plain, has_header=True, infer_schema=False, empty_string_is_null=False,
                           encoding="utf8-lossy", row_index_name=ROW, row_index_offset=1)
        for frame in scan.collect_batches(chunk_size=batch_rows, maintain_order=True):
            yield check(frame.with_columns(pl.col(ROW).cast(pl.Int64)).select(ROW, *COLUMNS))
    except pl.exceptions.PolarsError as exc:
        raise RequestLogError(f"{name} is not a well-formed CSV file: {str(exc).splitlines()[0]}") from None


_TOKEN = r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"
_RANGE = r"^(?i:bytes)=([0-9]{0,18})-([0-9]{0,18})$"
_IPISH = r"^[0-9A-Fa-f:.%A-Za-z-]{2,64}$"


def check(frame: pl.DataFrame) -> Batch:
    """Parse and check one batch of string columns; a row fails on its first unreadable field."""
    text = {c: pl.col(c).fill_null("") for c in COLUMNS}
    ts = text["ts"].str.strip_chars().str.to_datetime("%Y-%m-%dT%H:%M:%S%.fZ", strict=False, time_unit="ms",
                                                      time_zone="UTC")
    range_text = text["range"].str.strip_chars()
    first = range_text.str.extract(_RANGE, 1)
    last = range_text.str.extract(_RANGE, 2)
    status = text["status"].str.strip_chars()
    sent = text["bytes_sent"].str.strip_chars()
    parsed = frame.with_columns(
        ts_ms=ts.dt.epoch("ms"),
        range_kind=pl.when(range_text == "").then(rules.NO_RANGE)
        .when((first != "") & (last != "")).then(rules.CLOSED)
        .when(first != "").then(rules.OPEN_ENDED)
        .when(last != "").then(rules.SUFFIX).cast(pl.Int8),
        range_a=pl.when(first != "").then(first).cast(pl.Int64, strict=False),
        range_b=pl.when(last != "").then(last).cast(pl.Int64, strict=False),
        status_code=pl.when(status.str.contains(r"^[1-5][0-9]{2}$")).then(status)
        .cast(pl.Int16, strict=False),
        sent=pl.when(sent.str.contains(r"^[0-9]{1,18}$")).then(sent).cast(pl.Int64, strict=False),
    )
    reason = (pl.when(pl.col("request_id").fill_null("").str.strip_chars() == "")
              .then(pl.lit("request_id is empty"))
              .when(pl.col("ts_ms").is_null())
              .then(pl.format("ts {} is not a UTC time like 2026-11-02T22:00:00.000Z", pl.col("ts")))
              .when(~text["method"].str.contains(_TOKEN)).then(pl.format("method {} is not an HTTP method",
                                                                         pl.col("method")))
              .when(~text["ip"].str.strip_chars().str.contains(_IPISH)).then(pl.format(
                  "ip {} is not an IPv4 or IPv6 address", pl.col("ip")))
              .when(pl.col("status_code").is_null())
              .then(pl.format("status {} is not an HTTP status (100-599)", pl.col("status")))
              .when(pl.col("range_kind").is_null()
                    | ((pl.col("range_kind") == rules.CLOSED) & (pl.col("range_b") < pl.col("range_a")))
                    | (pl.col("range_a") > MAX_BYTES) | (pl.col("range_b") > MAX_BYTES))
              .then(pl.format("range {} is not bytes=a-b, bytes=a- or bytes=-n", pl.col("range")))
              .when(pl.col("sent").is_null() | (pl.col("sent") > MAX_BYTES)).then(pl.format(
                  "bytes_sent {} is not a byte count", pl.col("bytes_sent"))))
    parsed = parsed.with_columns(reason=reason)
    rejected = parsed.filter(pl.col("reason").is_not_null()).select(
        ROW, "reason", record=pl.concat_str([text[c] for c in COLUMNS], separator=",").str.slice(0, 2000))
    valid = parsed.filter(pl.col("reason").is_null()).select(
        ROW, pl.col("request_id").str.strip_chars(), "ts_ms", "method", pl.col("ip").str.strip_chars(),
        user_agent=text["user_agent"], referer=text["referer"], url=text["url"], range_kind="range_kind",
        range_a="range_a", range_b="range_b", status=pl.col("status_code").cast(pl.Int32),
        bytes_sent=pl.col("sent"))
    return Batch(valid, rejected)
