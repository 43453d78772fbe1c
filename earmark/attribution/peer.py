"""The benchmark's peer: marketing-attribution-models 2.x (`mam`) computing the five heuristics.

The issue measures Earmark against the best open library given the same raw events: `mam`'s `session`
format (one row per event, a conversion flag, journeys cut at each conversion), its five heuristic models,
each run as its documented API runs it (per-journey credits and the channel totals). The library has no
lookback window and no per-conversion paths, which Earmark keeps; its time is compute only (the frame is
already in memory), so the comparison is generous to the peer.
"""

from __future__ import annotations

import time

import polars as pl

from earmark.errors import EarmarkError

# Earmark's default half-life (7 days), in the library's unit.
HALF_LIFE_HOURS = 7 * 24.0


class PeerUnavailableError(EarmarkError):
    """The peer library is not installed."""


def session_frame(events: pl.DataFrame) -> pl.DataFrame:
    """Canonical events as the library's `session` input: user, time, channel and a conversion flag."""
    return events.select(
        pl.col("user_id"),
        pl.col("occurred_at").dt.replace_time_zone(None).alias("datetime"),
        pl.col("channel").fill_null("(conversion)"),
        (pl.col("event_type") == "conversion").alias("conversion"),
        pl.col("revenue").cast(pl.Float64),
    )


def run_peer(events: pl.DataFrame) -> dict:
    """Seconds the library takes from the raw events to all five heuristics, and what it credited."""
    try:
        from mam.core import MAM
    except ImportError:
        raise PeerUnavailableError("marketing-attribution-models is not installed; `make install` "
                                   "installs it from the lock (the `bench` extra).") from None
    frame = session_frame(events)
    started = time.perf_counter()
    mam = MAM(df=frame, format_type="session", channels_colname="channel",
              journey_with_conv_colname="conversion", datetime_colname="datetime", user_id_colname="user_id",
              create_journey_id_based_on_conversion=True)
    results = {
        "last_touch": mam.run_last_click(),
        "first_touch": mam.run_first_click(),
        "linear": mam.run_linear(),
        "position_based": mam.run_position_based(),
        "time_decay": mam.run_time_decay(half_life_hours=HALF_LIFE_HOURS),
    }
    seconds = time.perf_counter() - started
    totals = {name: float(result.to_polars()["attribution"].sum()) for name, result in results.items()}
    return {"compute_s": seconds, "journeys": mam.unified_df.height, "credited": totals}
