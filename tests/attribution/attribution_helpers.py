"""Helpers for attribution tests: load events for a tenant, run the real dbt project, read marts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import polars as pl

from earmark import db
from earmark.attribution import dbt_env
from earmark.attribution.synthetic import copy_events

BASE = datetime(2026, 9, 1, tzinfo=UTC)


def run_dbt(*args: str, dbt_vars: dict | None = None) -> None:
    done = dbt_env.run_dbt(*args, dbt_vars=dbt_vars)
    assert done.returncode == 0, done.stdout[-4000:]


def event(event_id: str, user: str, seconds: float, kind: str = "touchpoint", channel: str | None = "a",
          campaign: str | None = None, revenue: float = 0.0) -> dict:
    return {"event_id": event_id, "user_id": user, "occurred_at": BASE + timedelta(seconds=seconds),
            "event_type": kind, "channel": channel if kind == "touchpoint" else None,
            "campaign_id": campaign, "revenue": revenue, "source": "test", "currency": "USD"}


def events_frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={
        "event_id": pl.String, "user_id": pl.String, "occurred_at": pl.Datetime("us", "UTC"),
        "event_type": pl.String, "channel": pl.String, "campaign_id": pl.String, "revenue": pl.Float64,
        "source": pl.String, "currency": pl.String})


def load_events(tenant_id: uuid.UUID, frame: pl.DataFrame) -> None:
    with db.connect("transformer") as conn:
        copy_events(conn, tenant_id, frame)
        conn.commit()


def read_mart(sql: str, tenant_id: uuid.UUID) -> pl.DataFrame:
    with db.connect("transformer") as conn:
        cur = conn.execute(sql, [tenant_id])
        names = [c.name for c in cur.description]
        return pl.DataFrame(cur.fetchall(), schema=names, orient="row", infer_schema_length=None)
