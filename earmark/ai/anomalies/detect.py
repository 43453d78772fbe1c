"""Spikes, dips and outages, level shifts and changes of release pattern in a daily series.

A day is flagged when its residual from the expected value (earmark.ai.series.model) is beyond ALERT_Z
robust sigmas, at least MIN_CHANGE away from it, and, for counts, beyond what Poisson noise allows around
the expectation (a show with 20 downloads a day moves by a few on its own). Holidays and the days beside
them need HOLIDAY_Z: their effect is learned from a handful of days a year. Every day of a multi-day
outage is flagged on its own.
At a change point the new level is the model's from its first day, so only the first SHIFT_DAYS days that
left the old level are flagged, as level_shift, and the days after are judged against the new level. A
dip on an expected release day with no jump over the day before is a pattern_break: the release did not
come. So is the first day of a new release pattern (earmark.ai.series.releases: the old pattern failed for
two cycles and another held in the six weeks after), once, with the old and new pattern in its sentence.
`score` is signed: robust sigmas on the model's scale (log1p for counts), positive above the expectation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from earmark.ai.anomalies.explain import explain
from earmark.ai.series import DailySeries
from earmark.ai.series.model import VERSION, Fit, fit

ALERT_Z = 4.0
HOLIDAY_Z = 6.0
POISSON_Z = 3.0
# Materiality: a day within this share of its expectation is not worth a media buyer's attention, however
# quiet the series (a fitted model's residuals are tighter than tomorrow's noise).
MIN_CHANGE = 0.2
SHIFT_DAYS = 2
BAND_Z = 3.0  # the band reported as lower..upper


@dataclass(frozen=True)
class Anomaly:
    date: date
    actual: float
    expected: float
    lower: float
    upper: float
    score: float  # signed residual in robust sigmas (transformed scale)
    kind: str  # spike | dip | level_shift | pattern_break
    explanation: str
    release: bool = False  # the day is an expected release day (or within its peak)
    detail: str = ""  # pattern_break: the old and the new pattern, for explain()


@dataclass(frozen=True)
class Detection:
    anomalies: list[Anomaly]
    model: dict


def _beyond_noise(fitted: Fit, actual: float, expected: float) -> bool:
    if abs(actual - expected) < MIN_CHANGE * abs(expected):
        return False
    if not fitted.log_scale:
        return True
    return abs(actual - expected) > POISSON_Z * np.sqrt(expected + 1.0)


def detect(series: DailySeries) -> Detection:
    fitted = fit(series)
    n = fitted.y.size
    base = fitted.level + fitted.seasonal[:n]
    expected = fitted.to_values(base)
    lower = fitted.to_values(base - BAND_Z * fitted.sigma)
    upper = fitted.to_values(base + BAND_Z * fitted.sigma)
    z = fitted.residual / fitted.sigma
    values = np.asarray(series.values, dtype=float)
    found: list[Anomaly] = []
    shift_days: dict[int, float] = {}
    for cp in fitted.change_points:
        before = fitted.level[cp - 1] if cp > 0 else fitted.level[cp]
        for t in range(cp, min(cp + SHIFT_DAYS, n)):
            if not np.isfinite(values[t]):
                continue
            old = before + fitted.seasonal[t]
            score = (fitted.y[t] - old) / fitted.sigma
            old_value = float(fitted.to_values(np.array(old)))
            if abs(score) > ALERT_Z and _beyond_noise(fitted, values[t], old_value):
                shift_days[t] = old
    # the first day of a new release pattern (a new weekday, every other week, a stop): one flag per break
    breaks = {b.index: b for b in fitted.breaks if b.index < n and np.isfinite(values[b.index])}
    for t in range(n):
        if not np.isfinite(values[t]):
            continue
        release_day = bool(fitted.release[t])
        if t in breaks:
            was, now = breaks[t].before.describe(), breaks[t].after.describe()
            change = f"the show went from releasing {was} to {now}"
            found.append(_anomaly(series, t, values[t], expected[t], lower[t], upper[t], z[t],
                                  "pattern_break", release_day, change))
            continue
        if t in shift_days:
            old = shift_days[t]
            exp_old = float(fitted.to_values(np.array(old)))
            found.append(_anomaly(series, t, values[t], exp_old,
                                  float(fitted.to_values(np.array(old - BAND_Z * fitted.sigma))),
                                  float(fitted.to_values(np.array(old + BAND_Z * fitted.sigma))),
                                  (fitted.y[t] - old) / fitted.sigma, "level_shift", release_day))
            continue
        limit = HOLIDAY_Z if fitted.holiday[t] else ALERT_Z
        if abs(z[t]) <= limit or not _beyond_noise(fitted, values[t], expected[t]):
            continue
        kind = "spike" if z[t] > 0 else "dip"
        # a release day with no jump over the day before: the release did not come
        if kind == "dip" and release_day and t > 0 and values[t] <= 1.1 * expected[t - 1]:
            kind = "pattern_break"
        found.append(_anomaly(series, t, values[t], expected[t], lower[t], upper[t], z[t], kind, release_day))
    model = {"name": "earmark-robust-seasonal", "version": VERSION, "alert_z": ALERT_Z,
             "holiday_z": HOLIDAY_Z,
             "poisson_z": POISSON_Z, "min_change": MIN_CHANGE, "shift_days": SHIFT_DAYS, "band_z": BAND_Z,
             **fitted.parameters()}
    return Detection(anomalies=found, model=model)


def _anomaly(series: DailySeries, t: int, actual: float, expected: float, lower: float, upper: float,
             score: float, kind: str, release: bool, detail: str = "") -> Anomaly:
    day = series.day(t)
    draft = Anomaly(day, float(actual), round(float(expected), 4), round(float(lower), 4),
                    round(float(upper), 4), round(float(score), 3), kind, "", release, detail)
    sentence = explain(draft, series.metric, release=release, weekday=day.strftime("%A"))
    return Anomaly(draft.date, draft.actual, draft.expected, draft.lower, draft.upper, draft.score, kind,
                   sentence, release, detail)
