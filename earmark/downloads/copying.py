"""COPY a polars frame into Postgres as CSV, in slices: polars writes the next slice while a writer thread
hands the last to the server (the same scheme as earmark.ingest)."""

from __future__ import annotations

import tempfile

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
    """A query's rows through COPY TO as CSV, read by polars with the given column types.

    The rows are spooled to an anonymous temporary file (unlinked on creation, gone when closed) that polars
    maps: joining them in memory held every row twice over (10 M requests: 18.6 s and 4.2 GiB peak against
    11.8 s and 1.6 GiB, bench/RESULTS.md)."""
    with tempfile.TemporaryFile() as spool:
        with conn.cursor().copy(statement, params) as copy:
            for block in copy:
                spool.write(block)
        if not spool.tell():
            return pl.DataFrame(schema=schema)
        spool.seek(0)
        return pl.read_csv(spool, has_header=False, new_columns=list(schema), schema_overrides=schema)


def hex_bytes(column: str) -> pl.Expr:
    """A binary column as COPY's text form of bytea."""
    return pl.lit("\\x") + pl.col(column).bin.encode("hex")
