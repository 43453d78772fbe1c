"""A second, independent implementation of the five models in polars: the tests' oracle, nothing else.

It follows the issue's wording literally (previous conversion, lookback, positions) with a per-user
touch x conversion join, the formulation the SQL deliberately avoids.
"""

from __future__ import annotations

import polars as pl

MODELS = ("first_touch", "last_touch", "linear", "time_decay", "position_based")


def touch_credits(events: pl.DataFrame, *, lookback_days: int = 30, half_life_days: float = 7.0,
                  first_weight: float = 0.4, last_weight: float = 0.4) -> pl.DataFrame:
    """One row per (conversion_event_id, model, touch_event_id) with credit and revenue_credit.

    `events` has the canonical columns; a conversion with no eligible touch gets touch_event_id null,
    channel and campaign '(none)', credit 1.
    """
    ordered = events.sort(["user_id", "occurred_at", "event_id"])
    conversions = (
        ordered.filter(pl.col("event_type") == "conversion")
        .with_columns(previous_at=pl.col("occurred_at").shift(1).over("user_id"))
        .select("user_id", conversion_event_id="event_id", converted_at="occurred_at",
                previous_at="previous_at", revenue=pl.col("revenue").cast(pl.Float64))
    )
    touches = ordered.filter(pl.col("event_type") == "touchpoint").select(
        "user_id", touch_event_id="event_id", touched_at="occurred_at", channel="channel",
        campaign_id=pl.col("campaign_id").fill_null("(none)"))
    lookback_us = lookback_days * 86_400 * 1_000_000
    paired = (
        conversions.join(touches, on="user_id", how="inner")
        .with_columns(delta_us=(pl.col("converted_at") - pl.col("touched_at")).dt.total_microseconds())
        .filter(
            (pl.col("previous_at").is_null() | (pl.col("touched_at") > pl.col("previous_at")))
            & (pl.col("delta_us") >= 0) & (pl.col("delta_us") <= lookback_us)
        )
        .sort(["conversion_event_id", "touched_at", "touch_event_id"])
        .with_columns(
            position=pl.int_range(1, pl.len() + 1).over("conversion_event_id"),
            n=pl.len().over("conversion_event_id"),
            decay=2.0 ** (-(pl.col("delta_us") / 1e6) / (half_life_days * 86_400)),
        )
    )
    n, pos = pl.col("n"), pl.col("position")
    weights = {
        "first_touch": (pos == 1).cast(pl.Float64),
        "last_touch": (pos == n).cast(pl.Float64),
        "linear": 1.0 / n,
        "time_decay": pl.col("decay") / pl.col("decay").sum().over("conversion_event_id"),
        "position_based": pl.when(n == 1).then(1.0).when(n == 2).then(0.5)
        .when(pos == 1).then(first_weight).when(pos == n).then(last_weight)
        .otherwise((1.0 - first_weight - last_weight) / (n - 2)),
    }
    credited = pl.concat([
        paired.select("conversion_event_id", "touch_event_id", "channel", "campaign_id", "revenue",
                      pl.col("position").cast(pl.Int32), model=pl.lit(name), credit=expr.cast(pl.Float64))
        for name, expr in weights.items()
    ])
    empty = conversions.join(paired.select("conversion_event_id").unique(), on="conversion_event_id",
                             how="anti")
    unattributed = pl.concat([
        empty.select("conversion_event_id", touch_event_id=pl.lit(None, pl.String), channel=pl.lit("(none)"),
                     campaign_id=pl.lit("(none)"), revenue="revenue", position=pl.lit(0, pl.Int32),
                     model=pl.lit(name), credit=pl.lit(1.0))
        for name in MODELS
    ])
    return pl.concat([credited, unattributed]).with_columns(
        revenue_credit=pl.col("credit") * pl.col("revenue")).drop("revenue")
