"""The expected value of a daily series: a level that follows trend and lasting shifts, times the weekday,
release-day and calendar effects, fitted robustly so that the anomalies it must find do not bend it.

On log1p of the values (counts and money are skewed, and effects multiply), or on the values themselves
when a series goes negative:
  y_t = level_t + X_t . beta + e_t
X: weekday (Sunday is the base), days since the last release (0..6: the peak and its decay), holidays and
the days beside them, promotion days (Black Friday, Cyber Monday) for conversions, revenue and visits, the
first of the month for cost series. beta: statsmodels' RLM with Huber's T (IRLS), so a spike weighs little.
level: a running median of y - X.beta within segments; a segment starts at a change point, where the median
of the next two weeks leaves the trailing four weeks' by more than CHANGE_Z robust sigmas and the week after
confirms it (an outage of a few days moves no two-week median, so it stays an outage). Three rounds of
(level, beta) converge. Residual scale: 1.4826 x MAD.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.tools.sm_exceptions import SingularMatrixWarning

from earmark.ai.series import calendar, releases
from earmark.ai.series.releases import robust_sigma
from earmark.ai.series.types import DailySeries

VERSION = "earmark-series-1.0"
MIN_OBSERVED = 28
RELEASE_LAGS = 7
LEVEL_WINDOW = 29
CHANGE_Z = 2.5
MIN_SHIFT = np.log(1.2)
ROUNDS = 3


@dataclass
class Fit:
    series: DailySeries
    log_scale: bool
    y: np.ndarray  # transformed values, NaN where missing
    design: np.ndarray  # (history + horizon) x columns
    columns: list[str]
    beta: np.ndarray
    seasonal: np.ndarray  # design . beta over history and horizon
    level: np.ndarray  # over history
    sigma: float
    change_points: list[int]
    release: np.ndarray  # bool over history and horizon
    holiday: np.ndarray  # bool over history and horizon (holidays and the days beside them)
    pattern: dict = field(default_factory=dict)
    breaks: list[releases.PatternBreak] = field(default_factory=list)

    @property
    def residual(self) -> np.ndarray:
        return self.y - self.level - self.seasonal[: self.y.size]

    def to_values(self, transformed: np.ndarray) -> np.ndarray:
        out = np.expm1(transformed) if self.log_scale else transformed
        return np.maximum(out, 0.0) if self.log_scale else out

    def parameters(self) -> dict:
        return {"version": VERSION, "scale": "log1p" if self.log_scale else "identity",
                "effects": {c: round(float(b), 5) for c, b in zip(self.columns, self.beta, strict=True)},
                "sigma": round(self.sigma, 5), "release_pattern": self.pattern,
                "change_points": [self.series.day(t).isoformat() for t in self.change_points]}


def _design(series: DailySeries, total: int, release: np.ndarray, holiday_days: frozenset[date]
            ) -> tuple[np.ndarray, list[str], np.ndarray]:
    start = series.start
    days = [start + timedelta(days=t) for t in range(total)]
    weekday = np.array([d.weekday() for d in days])
    columns, parts = ["intercept"], [np.ones(total)]
    for w, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat")):
        columns.append(f"weekday_{name}")
        parts.append((weekday == w).astype(float))
    if release.any():
        since = np.full(total, 10_000)
        last = None
        for t in range(total):
            if release[t]:
                last = t
            if last is not None:
                since[t] = t - last
        for k in range(RELEASE_LAGS):
            columns.append(f"release_{k}")
            parts.append((since == k).astype(float))
    holiday = np.array([d in holiday_days for d in days])
    near = np.array([(d - timedelta(days=1)) in holiday_days or (d + timedelta(days=1)) in holiday_days
                     for d in days]) & ~holiday
    if holiday.any():
        columns.append("holiday")
        parts.append(holiday.astype(float))
    if near.any():
        columns.append("holiday_eve")
        parts.append(near.astype(float))
    if calendar.is_promotion_metric(series.metric):
        promo = calendar.promotion_days(days[0], days[-1])
        for name, offset in (("black_friday", 0), ("cyber_monday", 3)):
            flags = np.array([d in promo and (d - timedelta(days=offset)).weekday() == 4 for d in days])
            if flags.any():
                columns.append(name)
                parts.append(flags.astype(float))
    if calendar.is_cost_metric(series.metric):
        columns.append("first_of_month")
        parts.append(np.array([d.day == 1 for d in days], dtype=float))
    design = np.column_stack(parts)
    history = design[: series.values.size]
    lags = [j for j, name in enumerate(columns) if name.startswith("release_")]
    keep = [i for i, c in enumerate(columns)
            if not (c.startswith("weekday_")
                    and any(np.array_equal(history[:, i], history[:, j]) for j in lags))]
    return design[:, keep], [columns[i] for i in keep], holiday | near


def _level(z: np.ndarray, change_points: list[int]) -> np.ndarray:
    """A centred running median of z within each segment; a segment's edge sees only its own side."""
    out = np.full(z.size, np.nan)
    edges = [0, *change_points, z.size]
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        part = pd.Series(z[a:b])
        med = part.rolling(LEVEL_WINDOW, center=True, min_periods=1).median()
        out[a:b] = med.ffill().bfill().to_numpy() if med.notna().any() else np.nanmedian(z)
    return out


def _best_split(z: np.ndarray, first: int, last: int) -> int:
    """Where in a run of candidate days the series splits: the day whose two weeks before and after differ
    most in mean (the run starts early: a two-week median flips a week before the shift)."""
    best, best_gap = first, -np.inf
    for s in range(max(1, first - 7), last + 1):
        a, b = z[max(0, s - 14):s], z[s:s + 14]
        a, b = a[np.isfinite(a)], b[np.isfinite(b)]
        if a.size < 3 or b.size < 3:
            continue
        # means, not medians: a median is as far apart at the true split as a few days before it
        gap = abs(float(np.mean(b) - np.mean(a)))
        if gap > best_gap:
            best, best_gap = s, gap
    return best


def _change_points(z: np.ndarray, sigma: float) -> list[int]:
    s = pd.Series(z)
    left = s.rolling(28, min_periods=14).median().shift(1).to_numpy()
    right = s[::-1].rolling(14, min_periods=7).median()[::-1].to_numpy()
    later = s[::-1].rolling(14, min_periods=7).median()[::-1].shift(-7).to_numpy()
    diff = right - left
    threshold = max(CHANGE_Z * sigma, MIN_SHIFT)
    confirmed = np.isfinite(later) & (np.sign(later - left) == np.sign(diff)) & \
        (np.abs(later - left) > 0.6 * np.abs(diff))
    candidate = np.isfinite(diff) & (np.abs(diff) > threshold) & confirmed
    points, t = [], 0
    while t < z.size:
        if candidate[t]:
            run = t
            while run + 1 < z.size and candidate[run + 1]:
                run += 1
            best = _best_split(z, t, run)
            if not points or best - points[-1] >= 14:
                points.append(best)
            t = run + 1
        else:
            t += 1
    return points


def fit(series: DailySeries, horizon: int = 0) -> Fit:
    values = np.asarray(series.values, dtype=float)
    observed = np.isfinite(values)
    if observed.sum() < MIN_OBSERVED:
        raise ValueError(f"only {int(observed.sum())} days with values; the model needs at least "
                         f"{MIN_OBSERVED}")
    log_scale = bool(np.nanmin(values) >= 0)
    y = np.log1p(values) if log_scale else values.copy()
    total = values.size + horizon
    end = series.start + timedelta(days=total - 1)
    holiday_days = calendar.holidays_between(series.country, series.start, end)
    holiday_mask = np.array([series.start + timedelta(days=t) in holiday_days for t in range(total)])
    grid = releases.DayGrid.of(series.start, total, holiday_mask)
    found = releases.release_history(y, grid, series.release_dates)
    release, pattern = found.days, found.as_dict(series.start, values.size)
    X, columns, holiday = _design(series, total, release, holiday_days)
    Xh = X[: values.size]
    keep = observed
    used = np.flatnonzero(Xh[observed].any(axis=0))
    change_points: list[int] = []
    level = np.full(values.size, np.nanmedian(y))
    beta = np.zeros(X.shape[1])
    sigma = robust_sigma(y - level)
    for _ in range(ROUNDS):
        target = (y - level)[keep]
        with warnings.catch_warnings():
            # release lags of a regular schedule can be collinear with weekdays: the least-norm fit is right
            warnings.simplefilter("ignore", SingularMatrixWarning)
            result = sm.RLM(target, Xh[keep][:, used], M=sm.robust.norms.HuberT()).fit(maxiter=50)
        beta = np.zeros(X.shape[1])
        beta[used] = result.params
        # the intercept lives in the level
        beta[0] = 0.0
        seasonal = X @ beta
        z = y - seasonal[: values.size]
        level = _level(z, change_points)
        sigma = max(robust_sigma(y - level - seasonal[: values.size]), 1e-6)
        change_points = _change_points(z, sigma)
        level = _level(z, change_points)
    seasonal = X @ beta
    sigma = max(robust_sigma(y - level - seasonal[: values.size]), 1e-6)
    return Fit(series, log_scale, y, X, columns, beta, seasonal, level, sigma, change_points, release,
               holiday, pattern, found.breaks)
