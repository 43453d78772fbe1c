"""COPY a polars frame into Postgres as CSV, in slices: polars writes the next slice while a writer thread
hands the last to the server (the same scheme as earmark.ingest)."""

from __future__ import annotations

import io

import polars as pl
import psycopg
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter

SLICE_ROWS = 250_000
TIME_FORMAT = "%Y-%m-%d %H:%M:%S%.3f+00"


def copy_statement(target: sql.Composable, columns: tuple[str, ...]) -> sql.Composable:
    """COPY FROM stdin as CSV into `target` (a table or stage), naming its columns."""
    return sql.SQL("copy {} ({}) from stdin (format csv)").format(
        target, sql.SQL(", ").join(sql.Identifier(c) for c in columns))


def copy_in(conn: psycopg.Connection, statement: str | sql.Composable, frame: pl.DataFrame) -> None:
    cursor = conn.cursor()
    with cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy:
        for start in range(0, frame.height, SLICE_ROWS):
            copy.write(frame.slice(start, SLICE_ROWS).write_csv(include_header=False,
                                                                datetime_format=TIME_FORMAT, null_value=""))


def copy_out(conn: psycopg.Connection, statement: str | sql.Composable, params: dict,
             schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """A query's rows through COPY TO as CSV, read by polars with the given column types."""
    with conn.cursor().copy(statement, params) as copy:
        data = b"".join(bytes(block) for block in copy)
    if not data:
        return pl.DataFrame(schema=schema)
    return pl.read_csv(io.BytesIO(data), has_header=False, new_columns=list(schema), schema_overrides=schema)


def hex_bytes(column: str) -> pl.Expr:
    """A binary column as COPY's text form of bytea."""
    return pl.lit("\\x") + pl.col(column).bin.encode("hex")
