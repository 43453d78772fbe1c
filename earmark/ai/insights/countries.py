"""The countries whose public holidays Earmark knows: those of the `holidays` package, which the series
model's calendar reads (earmark.ai.series.calendar)."""

from functools import cache


@cache
def supported_countries() -> frozenset[str]:
    import holidays  # imported here: its country modules load slowly, and most callers never need them

    return frozenset(holidays.list_supported_countries())
