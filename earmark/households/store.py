"""What matching and lift read the same way: the households SQL by name, result frames with a fixed schema
(an empty result keeps its columns), and a tenant's matching settings."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import psycopg
from psycopg.rows import dict_row

from earmark.sqlfiles import load

PACKAGE = "earmark.households"


@dataclass(frozen=True)
class Settings:
    lookback_days: int
    match_window_days: int
    shared_household_agents: int
    download_window: str


def q(name: str) -> str:
    return load(PACKAGE, name)


def frame(conn: psycopg.Connection, name: str, params: dict, schema: dict) -> pl.DataFrame:
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(q(name), params).fetchall()
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def settings_of(conn: psycopg.Connection, tenant_id: str) -> Settings:
    row = conn.execute(q("settings"), {"tenant_id": tenant_id}).fetchone()
    return Settings(*row)
