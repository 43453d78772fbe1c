"""Turn a canonical event file (CSV, Parquet or JSON Lines) into a frame of strings.

Every value comes back as a string (or null) so validation has one shape to check; a row that is
malformed as a record (wrong number of fields, not a JSON object) comes back separately with its
reason. Row numbers are 1-based data rows: in a CSV, row 1 is the line after the header.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from earmark.ingest.errors import IngestFileError

FORMATS = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}
ROW = "__row"


@dataclass
class RawFile:
    columns: list[str]
    rows: pl.DataFrame  # string columns + ROW
    malformed: pl.DataFrame  # ROW, reason, record
    total_rows: int
    sha256: str = ""


def file_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise IngestFileError(
            f"{path.name} has no known format; name it .csv, .parquet or .jsonl (JSON Lines)."
        )
    return FORMATS[suffix]


def read(path: Path) -> RawFile:
    if not path.is_file():
        raise IngestFileError(f"{path} does not exist or is not a file.")
    fmt = file_format(path)
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if fmt == "parquet":
        raw = _read_parquet(path, data)
        raw.sha256 = digest
        return raw
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IngestFileError(
            f"{path.name} is not valid UTF-8 (bad byte at offset {exc.start}); re-export it as UTF-8."
        ) from None
    data = data.removeprefix(b"\xef\xbb\xbf")
    raw = _read_csv(path, data) if fmt == "csv" else _read_jsonl(path, data)
    raw.sha256 = digest
    return raw


def _malformed(rows: list[tuple[int, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={ROW: pl.Int64, "reason": pl.Utf8, "record": pl.Utf8}, orient="row")


def _read_csv(path: Path, data: bytes) -> RawFile:
    if not data.strip():
        raise IngestFileError(f"{path.name} is empty; a CSV needs a header line and rows.")
    header_line, _, body = data.partition(b"\n")
    header = next(csv.reader([header_line.decode("utf-8").rstrip("\r")]))
    header = [h.strip() for h in header]
    if len(set(header)) != len(header):
        raise IngestFileError(f"{path.name} repeats a column name in its header: {', '.join(header)}.")
    # Fast path: split the file into physical lines and count each line's fields column-wise
    # (quoted sections removed first); polars' own reader then parses the well-formed lines.
    # A quoted field spanning lines (an odd number of quotes on a line) takes the csv module.
    if b"\x1e" in body:
        return _read_csv_quoted(header, body)
    lines = pl.read_csv(
        io.BytesIO(body), has_header=False, new_columns=["line"], separator="\x1e",
        quote_char=None, infer_schema=False, raise_if_empty=False,
    )
    if lines.width == 0 or lines.height == 0:
        lines = pl.DataFrame({"line": []}, schema={"line": pl.Utf8})
    lines = lines.with_row_index(ROW, offset=1).with_columns(
        pl.col(ROW).cast(pl.Int64), pl.col("line").str.strip_suffix("\r")
    )
    non_blank = lines.filter(pl.col("line").str.len_bytes() > 0)
    quoted = b'"' in body
    if quoted and (non_blank["line"].str.count_matches('"', literal=True) % 2 == 1).any():
        return _read_csv_quoted(header, body)
    unquoted = pl.col("line").str.replace_all('"[^"]*"', "") if quoted else pl.col("line")
    counted = non_blank.with_columns(fields=unquoted.str.count_matches(",", literal=True) + 1)
    well_formed = counted["fields"] == len(header)
    bad = counted.filter(~well_formed).select(
        ROW,
        reason=pl.format("expected {} fields, found {}", pl.lit(len(header)), pl.col("fields")),
        record=pl.col("line").str.slice(0, 2000),
    )
    good = counted.filter(well_formed)
    text = body if good.height == lines.height else "\n".join(good["line"].to_list()).encode()
    if good.height:
        parsed = pl.read_csv(io.BytesIO(text), has_header=False, new_columns=header, infer_schema=False)
    else:
        parsed = pl.DataFrame(schema={c: pl.Utf8 for c in header})
    rows = parsed.with_columns(
        pl.when(pl.col(c).str.len_bytes() > 0).then(pl.col(c)).alias(c) for c in header
    ).with_columns(good[ROW]).select(ROW, *header)
    return RawFile(header, rows, bad, counted.height)


def _read_csv_quoted(header: list[str], body: bytes) -> RawFile:
    good: list[list[str | None]] = []
    bad: list[tuple[int, str, str]] = []
    text = body.decode("utf-8")
    total = 0
    for number, record in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        if not record:
            continue
        total += 1
        if len(record) != len(header):
            bad.append((number, f"expected {len(header)} fields, found {len(record)}",
                        ",".join(record)[:2000]))
            continue
        good.append([number, *(value if value != "" else None for value in record)])
    schema = {ROW: pl.Int64, **{c: pl.Utf8 for c in header}}
    return RawFile(header, pl.DataFrame(good, schema=schema, orient="row"), _malformed(bad), total)


def _read_jsonl(path: Path, data: bytes) -> RawFile:
    records: list[dict] = []
    bad: list[tuple[int, str, str]] = []
    total = 0
    for number, line in enumerate(data.decode("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        total += 1
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            bad.append((number, f"not valid JSON ({exc.msg})", line[:2000]))
            continue
        if not isinstance(value, dict):
            bad.append((number, "not a JSON object", line[:2000]))
            continue
        records.append({ROW: number, **{k: _as_text(v) for k, v in value.items()}})
    if total == 0:
        raise IngestFileError(f"{path.name} is empty; JSON Lines needs one object per line.")
    if not records and bad and total == len(bad):
        raise IngestFileError(f"{path.name} is not JSON Lines: {bad[0][1]} on line {bad[0][0]}.")
    columns = sorted({k for r in records for k in r if k != ROW})
    schema = {ROW: pl.Int64, **{c: pl.Utf8 for c in columns}}
    rows = pl.DataFrame([{c: r.get(c) for c in schema} for r in records], schema=schema)
    return RawFile(columns, rows, _malformed(bad), total)


def _as_text(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value)


def _read_parquet(path: Path, data: bytes) -> RawFile:
    try:
        frame = pl.read_parquet(io.BytesIO(data))
    except Exception:
        raise IngestFileError(
            f"{path.name} is not a readable Parquet file; check how it was written."
        ) from None
    casts = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.Datetime):
            fmt = "%Y-%m-%dT%H:%M:%S%.f%:z" if dtype.time_zone else "%Y-%m-%dT%H:%M:%S%.f"
            casts.append(pl.col(name).dt.to_string(fmt))
        else:
            casts.append(pl.col(name).cast(pl.Utf8))
    rows = frame.select(casts).with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))
    return RawFile(list(frame.columns), rows, _malformed([]), frame.height)
