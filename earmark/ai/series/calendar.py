"""The days that are unusual by the calendar, not by accident: public holidays of the tenant's country (the
`holidays` package) and the half-holidays around them, Black Friday and Cyber Monday for the metrics that
promotions move, and the first of the month in cost series (a monthly fee is billed then).

Each kind of day becomes one indicator column of the series model (earmark.ai.series.model): one shared
effect per kind, because a year holds each holiday once and nothing can be learned per holiday.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import numpy as np

PROMOTION_METRICS = ("conversions", "revenue", "site_visits")
# A monthly fee is billed on the 1st: chosen by name rather than learned, so one odd month cannot invent it.
COST_WORDS = ("spend", "cost", "fee")


@cache
def _holidays(country: str, year: int) -> frozenset[date]:
    import holidays  # imported here: its country modules load slowly, and most callers never need them

    try:
        return frozenset(holidays.country_holidays(country, years=[year]))
    except NotImplementedError:  # a country the package does not know: no holidays rather than an error
        return frozenset()


def holidays_between(country: str, start: date, end: date) -> frozenset[date]:
    found: set[date] = set()
    for year in range(start.year, end.year + 1):
        found |= {d for d in _holidays(country, year) if start <= d <= end}
    return frozenset(found)


def _thanksgiving(year: int) -> date:
    first = date(year, 11, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 21)


def promotion_days(start: date, end: date) -> frozenset[date]:
    """Black Friday (the day after the fourth Thursday of November) and Cyber Monday (three days later)."""
    found = set()
    for year in range(start.year, end.year + 1):
        thanksgiving = _thanksgiving(year)
        found |= {thanksgiving + timedelta(days=1), thanksgiving + timedelta(days=4)}
    return frozenset(d for d in found if start <= d <= end)


def half_holidays(country: str, start: date, end: date) -> frozenset[date]:
    """Christmas Eve and New Year's Eve everywhere, and in the US the Friday after Thanksgiving: days off for
    many listeners although no law says so; listening drops on them much as on a public holiday."""
    found = set()
    for year in range(start.year, end.year + 1):
        found |= {date(year, 12, 24), date(year, 12, 31)}
        if country == "US":
            found.add(_thanksgiving(year) + timedelta(days=1))
    return frozenset(d for d in found if start <= d <= end)


def is_promotion_metric(metric: str) -> bool:
    return metric in PROMOTION_METRICS


def is_cost_metric(metric: str) -> bool:
    return any(word in metric for word in COST_WORDS)


def calendar_columns(metric: str, country: str, start: date, days: int) -> dict[str, np.ndarray]:
    """The calendar indicators that apply to this metric, one 0/1 array of `days` values from `start` each.

    Promotion metrics get Black Friday and Cyber Monday as promotion days (not as half-holidays: the same
    day cannot be both), cost metrics get the 1st of the month as billing day.
    """
    end = start + timedelta(days=days - 1)
    dates = [start + timedelta(days=i) for i in range(days)]
    promotions = promotion_days(start, end) if is_promotion_metric(metric) else frozenset()
    off = (holidays_between(country, start, end) | half_holidays(country, start, end)) - promotions
    columns = {"holiday": np.array([d in off for d in dates], dtype=float)}
    if is_promotion_metric(metric):
        columns["promotion"] = np.array([d in promotions for d in dates], dtype=float)
    if is_cost_metric(metric):
        columns["billing"] = np.array([d.day == 1 for d in dates], dtype=float)
    return columns
