"""Event files in the canonical format the ingestion pipeline reads (CSV, Parquet or JSON lines)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from earmark.errors import EarmarkError

EVENT_FILE_FORMATS = ("csv", "parquet", "jsonl")
# ISO-8601 in UTC with a literal Z, to the microsecond, the way the ingestion contract spells instants.
OCCURRED_AT_FORMAT = "%Y-%m-%dT%H:%M:%S%.6fZ"


class UnknownEventFileFormat(EarmarkError):
    """An event file format the demo cannot write."""


def write_event_file(df: pl.DataFrame, path: Path, fmt: str = "csv") -> Path:
    """Write `df` (canonical columns) to `path` as `fmt`; returns the path written."""
    if fmt not in EVENT_FILE_FORMATS:
        raise UnknownEventFileFormat(
            f"Unknown event file format {fmt!r}; use one of {', '.join(EVENT_FILE_FORMATS)}."
        )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        df.write_parquet(path)
        return path
    text_times = df.with_columns(
        pl.col("occurred_at").dt.convert_time_zone("UTC").dt.strftime(OCCURRED_AT_FORMAT)
    )
    if fmt == "csv":
        text_times.write_csv(path)
    else:
        text_times.write_ndjson(path)
    return path
