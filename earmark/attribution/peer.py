"""The benchmark's peer: marketing-attribution-models 2.x (`mam`) computing the five heuristics.

The issue measures Earmark against the best open library given the same raw events: `mam`'s `session`
format (one row per touch, flagged when it is the last before a conversion; journeys cut there), its five
heuristic models, each run as its documented API runs it (per-journey credits and the channel totals).
The library has no lookback window and no per-conversion paths, which Earmark keeps; its time is compute
only (the frame is already in memory and prepared), so the comparison is generous to the peer.
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
    """Canonical events as the library's `session` input: one row per touch, flagged when it is the last
    touch at or before one of the user's conversions (the library marks a conversion on a touch; Earmark
    keeps it as an event of its own). Conversions with no touch before them have nothing to credit there."""
    local = events.with_columns(pl.col("occurred_at").dt.replace_time_zone(None).alias("datetime"))
    touches = (local.filter(pl.col("event_type") == "touchpoint").select("user_id", "datetime", "channel")
               .sort("datetime").with_row_index("touch"))
    conversions = (local.filter(pl.col("event_type") == "conversion").select("user_id", "datetime")
                   .sort("datetime"))
    # both sides are sorted by time above (globally, so within each user too)
    closing = conversions.join_asof(touches.select("touch", "user_id", "datetime"), on="datetime",
                                    by="user_id", strategy="backward", check_sortedness=False)["touch"]
    closing = closing.drop_nulls()
    return touches.with_columns(pl.col("touch").is_in(closing.implode()).alias("conversion")).drop("touch")


def run_peer(events: pl.DataFrame) -> dict:
    """Seconds the library takes from the session rows to all five heuristics, and what each credited per
    channel (the preparation of its input is not timed: generous to the peer)."""
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
    credited = {}
    for name, result in results.items():
        rows = result.to_polars().select(pl.col("channels").cast(pl.String), "attribution").rows()
        credited[name] = {channel: value for channel, value in rows if value}
    return {"compute_s": seconds, "journeys": mam.unified_df.height, "credited": credited}
