"""The per-episode and per-request arithmetic of R4, R5 and R7, in exact integers."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import polars as pl

# Range forms (R4), as the reader stores them: range_kind with range_a / range_b.
NO_RANGE, CLOSED, OPEN_ENDED, SUFFIX = 0, 1, 2, 3


def threshold(bytes_total: int, duration_s: Decimal | float | int | str, id3_bytes: int | None) -> int:
    """R5: T = min(total, id3 + ceil((total - id3) * 60 / duration)), exactly (duration may be 1234.5 s)."""
    id3 = id3_bytes or 0
    audio = bytes_total - id3
    minute = math.ceil(Fraction(audio) * 60 / Fraction(str(duration_s)))
    return min(bytes_total, id3 + minute)


def quarter_bounds(bytes_total: int) -> list[int]:
    return [k * bytes_total // 4 for k in range(5)]


def ad_portion(kind: str, start_byte: int, end_byte: int, bytes_total: int) -> tuple[int, int]:
    """The half-open byte range a download must hold for the ad to count as delivered (R7); an empty one
    (first == end) for a slot that does not lie inside the file, which can never be delivered."""
    if start_byte < 0 or end_byte < start_byte or end_byte >= bytes_total:
        return (0, 0)
    if kind == "dai":
        return (start_byte, end_byte + 1)
    bounds = quarter_bounds(bytes_total)

    def quarter(x: int) -> int:
        return next(k for k in range(4) if bounds[k] <= x < bounds[k + 1])

    return (bounds[quarter(start_byte)], bounds[quarter(end_byte) + 1])


def intervals(frame: pl.DataFrame) -> pl.DataFrame:
    """R4: each request's [start, end) in its episode's file, from status, range and bytes_sent; needs the
    columns status, range_kind, range_a, range_b, bytes_sent and bytes_total (null: no episode)."""
    total = pl.col("bytes_total")
    whole = (pl.col("status") == 200) | (pl.col("range_kind") == NO_RANGE)
    start = (pl.when(whole).then(0)
             .when(pl.col("range_kind") == SUFFIX)
             .then(pl.max_horizontal(pl.lit(0), total - pl.col("range_b")))
             .otherwise(pl.col("range_a")))
    cap = (pl.when(whole).then(total)
           .when(pl.col("range_kind") == CLOSED).then(pl.min_horizontal(pl.col("range_b") + 1, total))
           .otherwise(total))
    return frame.with_columns(start=start.cast(pl.Int64)).with_columns(
        end=pl.min_horizontal(pl.col("start") + pl.col("bytes_sent"), cap).cast(pl.Int64))
