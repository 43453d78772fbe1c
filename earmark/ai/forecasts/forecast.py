"""The next days of a daily series with an 80 % interval, from data up to `as_of` only.

The point forecast is the fitted model carried forward: the level at the end of the history (the running
median of its last segment, so a recent level shift is already in it) plus a damped trend (Theil-Sen slope
of the level over its last eight weeks, damped by DAMPING per day, as in damped-trend exponential smoothing),
plus the weekday, release and calendar effects of each future day (the catalog's future releases, or the
learned schedule projected). On log1p it is the median, the forecast that minimises absolute error.
The interval: the 10th and 90th percentiles of the model's one-step residuals, widened with the horizon for
the level's own uncertainty (a random walk of the level's day-to-day changes) and by OUT_OF_SAMPLE,
then transformed back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from scipy.stats import theilslopes

from earmark.ai.series import DailySeries
from earmark.ai.series.model import VERSION, fit

DAMPING = 0.97
TREND_DAYS = 56
LOWER_Q, UPPER_Q = 0.10, 0.90
# In-sample residuals understate out-of-sample error (the fit has seen them; the level is estimated): the
# usual finite-sample widening, measured in the rolling-origin backtests (bench/RESULTS.md).
OUT_OF_SAMPLE = 1.2


@dataclass(frozen=True)
class ForecastPoint:
    date: date
    predicted: float
    lower: float
    upper: float


@dataclass(frozen=True)
class Forecast:
    points: list[ForecastPoint]
    model: dict


def _history(series: DailySeries, as_of: date | None) -> DailySeries:
    if as_of is None:
        return series
    keep = (as_of - series.start).days + 1
    if keep < 1:
        raise ValueError(f"as_of {as_of} is before the series starts ({series.start})")
    return DailySeries(series.start, np.asarray(series.values, dtype=float)[:keep], series.metric,
                       series.release_dates, series.country)


def forecast(series: DailySeries, horizon: int, as_of: date | None = None) -> Forecast:
    if horizon < 1:
        raise ValueError(f"horizon {horizon} must be at least one day")
    history = _history(series, as_of)
    fitted = fit(history, horizon=horizon)
    n = fitted.y.size
    start = fitted.change_points[-1] if fitted.change_points else 0
    recent = np.arange(max(start, n - TREND_DAYS), n)
    level = fitted.level
    slope = 0.0
    if recent.size >= 28:
        slope = float(theilslopes(level[recent], recent)[0])
    steps = np.arange(1, horizon + 1)
    damped = slope * DAMPING * (1 - DAMPING ** steps) / (1 - DAMPING)
    base = level[-1] + damped + fitted.seasonal[n:]
    residual = fitted.residual[np.isfinite(fitted.residual)]
    low_q, high_q = np.quantile(residual, [LOWER_Q, UPPER_Q])
    moves = np.diff(level[recent]) if recent.size > 2 else np.zeros(1)
    drift = np.std(moves) * np.sqrt(steps)
    spread = OUT_OF_SAMPLE * np.sqrt(1.0 + (drift / max(fitted.sigma, 1e-9)) ** 2)
    predicted = fitted.to_values(base)
    lower = fitted.to_values(base + low_q * spread)
    upper = fitted.to_values(base + high_q * spread)
    last = history.end
    points = [ForecastPoint(last + timedelta(days=int(k)), round(float(p), 4), round(float(min(lo, p)), 4),
                            round(float(max(hi, p)), 4))
              for k, p, lo, hi in zip(steps, predicted, lower, upper, strict=True)]
    model = {"name": "earmark-robust-seasonal-forecast", "version": VERSION, "damping": DAMPING,
             "out_of_sample_widening": OUT_OF_SAMPLE,
             "trend_slope_per_day": round(slope, 6), "interval": [LOWER_Q, UPPER_Q],
             "as_of": last.isoformat(), **fitted.parameters()}
    return Forecast(points=points, model=model)
