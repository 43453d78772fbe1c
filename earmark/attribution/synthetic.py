"""Synthetic journeys for the attribution benchmark and tests, and a COPY loader for raw.events.

The benchmark uses this generator rather than `earmark.demo.generate_events` (same canonical columns):
it matches the issue's shape (one user per journey, about 3.7 touches, a quarter converting, 90 days),
is fast enough for a million journeys (vectorised with numpy), and keeps figures comparable over time.
"""

from __future__ import annotations

import io
import uuid
from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl
import psycopg

from earmark.ingest.service import ensure_partition
from earmark.ingest.validate import CATALOG_COLUMNS
from earmark.settings import refuse_in_production
from earmark.sqlfiles import load

CHANNELS = ("podcast_host_read", "podcast_dynamic", "promo_code", "vanity_url", "search", "social",
            "email", "survey")
CAMPAIGN_COUNT = 24
CANONICAL_COLUMNS = ("event_id", "user_id", "occurred_at", "event_type", "channel", "campaign_id",
                     "revenue", "source", "currency")


def generate_journeys(journeys: int, *, seed: int = 7, days: int = 90, start: date | None = None,
                      touches_per_journey: float = 3.7, conversion_rate: float = 0.25,
                      id_prefix: str = "") -> pl.DataFrame:
    """One user per journey: about `touches_per_journey` touches within 30 days, maybe a conversion."""
    rng = np.random.default_rng(seed)
    start = start or date(2026, 8, 1)
    origin = datetime(start.year, start.month, start.day, tzinfo=UTC)
    span_s = days * 86_400
    touches = 1 + rng.poisson(max(touches_per_journey - 1, 0), journeys)
    journey_of_touch = np.repeat(np.arange(journeys), touches)
    begin = rng.integers(0, span_s, journeys)
    # a journey lasts up to 30 days and ends (conversion included) inside the span
    room = np.minimum(30 * 86_400, np.maximum(span_s - 2 * 86_400 - begin, 0))
    spread = rng.random(journey_of_touch.size) * room[journey_of_touch]
    touch_s = begin[journey_of_touch] + spread.astype(np.int64)
    converts = rng.random(journeys) < conversion_rate
    conv_journeys = np.flatnonzero(converts)
    last_touch = np.zeros(journeys, dtype=np.int64)
    np.maximum.at(last_touch, journey_of_touch, touch_s)
    wait_s = rng.integers(0, 2 * 86_400, conv_journeys.size)
    conv_s = np.minimum(last_touch[conv_journeys] + wait_s, span_s - 1)

    n_touch, n_conv = journey_of_touch.size, conv_journeys.size
    seconds = np.concatenate([touch_s, conv_s])
    users = np.concatenate([journey_of_touch, conv_journeys])
    is_conv = np.concatenate([np.zeros(n_touch, bool), np.ones(n_conv, bool)])
    channel = np.array(CHANNELS)[rng.integers(0, len(CHANNELS), n_touch)]
    campaign = rng.integers(0, CAMPAIGN_COUNT, n_touch)
    revenue = np.round(rng.gamma(2.0, 40.0, n_conv), 2)
    frame = pl.DataFrame({
        "event_id": [f"{id_prefix}e{i:09d}" for i in range(n_touch + n_conv)],
        "user_id": [f"{id_prefix}u{u:08d}" for u in users],
        "occurred_at": pl.Series(seconds * 1_000_000, dtype=pl.Int64)
        .cast(pl.Datetime("us")).dt.offset_by(f"{int(origin.timestamp())}s").dt.replace_time_zone("UTC"),
        "event_type": np.where(is_conv, "conversion", "touchpoint"),
        "channel": np.concatenate([channel, np.full(n_conv, None, dtype=object)]),
        "campaign_id": np.concatenate([np.array([f"cmp-{c:02d}" for c in campaign], dtype=object),
                                       np.full(n_conv, None, dtype=object)]),
        "revenue": np.concatenate([np.zeros(n_touch), revenue]),
    })
    return frame.with_columns(source=pl.lit("synthetic"), currency=pl.lit("USD"))


def copy_events(conn: psycopg.Connection, tenant_id: uuid.UUID | str, events: pl.DataFrame,
                batch_id: uuid.UUID | None = None) -> int:
    """COPY canonical events into raw.events for one tenant (as the transformer); returns rows written.

    For tests and benchmarks only: it bypasses the ingest barrier, validation and usage counting, so it
    is refused in production (load real files with `earmark ingest`).
    """
    refuse_in_production("The synthetic event loader")
    batch = str(batch_id or uuid.uuid4())
    frame = events.select(
        pl.lit(str(tenant_id)).alias("tenant_id"),
        *CANONICAL_COLUMNS,
        # the catalog's ids, where the frame has them (raw.events keeps them as sent)
        *(pl.col(c) if c in events.columns else pl.lit(None, pl.String).alias(c) for c in CATALOG_COLUMNS),
        pl.lit(batch).alias("batch_id"),
    ).with_columns(pl.col("occurred_at").dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%d %H:%M:%S%.6f+00"))
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False, null_value="")
    # COPY cannot write a table with row-level security; stage in a temp table, then one INSERT.
    with conn.transaction():
        ensure_partition(conn, tenant_id)
        conn.execute(load("earmark.attribution", "synthetic_stage"))
        conn.execute(load("earmark.attribution", "synthetic_stage_clear"))
        with conn.cursor() as cur, cur.copy(load("earmark.attribution", "synthetic_copy")) as copy:
            copy.write(buffer.getvalue())
        conn.execute(load("earmark.attribution", "synthetic_insert"))
        conn.execute(load("earmark.attribution", "synthetic_stage_clear"))
    return frame.height


def days_after(frame: pl.DataFrame) -> datetime:
    """The first instant after the last event, rounded up to a UTC day boundary."""
    last = frame["occurred_at"].max()
    return datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=1)
