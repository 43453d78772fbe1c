"""The days that are unusual by the calendar, not by accident: public holidays of the tenant's country (the
`holidays` package), Black Friday and Cyber Monday for the metrics that promotions move, and the first of
the month in cost series (a monthly fee is billed then)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

PROMOTION_METRICS = ("conversions", "revenue", "site_visits")
COST_WORDS = ("spend", "cost", "fee")


@cache
def _holidays(country: str, year: int) -> frozenset[date]:
    import holidays

    try:
        return frozenset(holidays.country_holidays(country, years=[year]))
    except NotImplementedError:  # a country the package does not know: no holidays rather than an error
        return frozenset()


def holidays_between(country: str, start: date, end: date) -> frozenset[date]:
    found: set[date] = set()
    for year in range(start.year, end.year + 1):
        found |= {d for d in _holidays(country, year) if start <= d <= end}
    return frozenset(found)


def promotion_days(start: date, end: date) -> frozenset[date]:
    """Black Friday (the day after the fourth Thursday of November) and Cyber Monday (three days later)."""
    found = set()
    for year in range(start.year, end.year + 1):
        first = date(year, 11, 1)
        thanksgiving = first + timedelta(days=(3 - first.weekday()) % 7 + 21)
        found |= {thanksgiving + timedelta(days=1), thanksgiving + timedelta(days=4)}
    return frozenset(d for d in found if start <= d <= end)


def is_promotion_metric(metric: str) -> bool:
    return metric in PROMOTION_METRICS


def is_cost_metric(metric: str) -> bool:
    return any(word in metric for word in COST_WORDS)
