"""Cost to the end of the month, with an interval, from the daily history.

Method: the month's cost so far, plus each remaining day (today included) at the mean of the last HISTORY
complete days (they may reach into the previous month, so a forecast on the 2nd has history). The 95 %
prediction interval treats the days as independent draws with that mean and spread: the sum of r future
days varies by sd^2 x r, and the mean itself is uncertain by sd^2 / n, which r days multiply by r^2, so
remaining x mean +- 1.96 x sd x sqrt(r + r^2 / n), sd the sample standard deviation of the n days; never
below what is already spent. With fewer than two complete days there is no spread to measure, and the
interval is the point itself (history_days says so).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

HISTORY = 14
Z95 = Decimal("1.96")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Forecast:
    month_to_date: Decimal
    point: Decimal
    low: Decimal
    high: Decimal
    history_days: int

    def as_json(self) -> dict:
        return {"month_to_date": money(self.month_to_date), "forecast": money(self.point),
                "low": money(self.low), "high": money(self.high), "history_days": self.history_days,
                "method": f"mean of the last {HISTORY} complete days x remaining days r, 95 % interval "
                          "+-1.96 sd sqrt(r + r^2/n) over n days of history"}


def money(value: Decimal) -> str:
    """A Decimal as plain digits (never exponent form such as 6E-7 or 0E-20), for JSON and reports."""
    return f"{value:f}"


def month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def forecast(daily: dict[date, Decimal], today: date) -> Forecast:
    """`daily`: total cost per UTC day (any days; only this month's and the HISTORY days before today
    count)."""
    first = today.replace(day=1)
    spent_before_today = sum((c for d, c in daily.items() if first <= d < today), Decimal(0))
    month_to_date = spent_before_today + daily.get(today, Decimal(0))
    history = [daily.get(today - timedelta(days=n), Decimal(0)) for n in range(1, HISTORY + 1)
               if (today - timedelta(days=n)) >= min(daily, default=today)]
    remaining = (month_end(today) - today).days + 1
    if not history:
        return Forecast(_c(month_to_date), _c(month_to_date), _c(month_to_date), _c(month_to_date), 0)
    mean = sum(history, Decimal(0)) / len(history)
    point = max(month_to_date, spent_before_today + mean * remaining)
    if len(history) < 2:
        return Forecast(_c(month_to_date), _c(point), _c(point), _c(point), len(history))
    variance = sum(((c - mean) ** 2 for c in history), Decimal(0)) / (len(history) - 1)
    r, n = Decimal(remaining), Decimal(len(history))
    spread = Z95 * variance.sqrt() * (r + r * r / n).sqrt()
    return Forecast(_c(month_to_date), _c(point), _c(max(month_to_date, point - spread)), _c(point + spread),
                    len(history))


def month_outlook(daily: dict[date, Decimal], month: date, today: date) -> Forecast:
    """The forecast to `month`'s end as of `today`; a month already over is its actual cost, with nothing left
    to forecast."""
    if month_end(month) >= today:
        return forecast(daily, today)
    actual = _c(sum((c for d, c in daily.items() if month <= d <= month_end(month)), Decimal(0)))
    return Forecast(actual, actual, actual, actual, 0)


def _c(value: Decimal) -> Decimal:
    return value.quantize(CENT)
