"""A seeded generator of labelled daily podcast series, one year each, for the anomaly and forecast tests and
bench/anomaly_bench.py.

Each series draws its own level (20 to 30,000 a day), trend, noise (negative binomial: Poisson around a
gamma-distributed rate), release schedule (weekly on one or two weekdays, every other week, monthly,
weekday-only skipping public holidays, irregular, or none for a campaign's conversions or a cost series),
release peak and decay shape, weekend dip, holidays (US: lower days), missing days and stretches.

Labelled anomalies: spikes (1-3 days, each day labelled), dips and outages (1-5 days of zeros or a
fraction, each day labelled), level shifts up or down (only their first two days labelled: after that the
series is normal at its new level) and pattern breaks (a weekly show moves its release weekday: the first
release that did not come is labelled). Labelled "looks unusual but is normal": release peaks of irregular
and biweekly shows, holiday dips, Black Friday and Cyber Monday in conversion series, the monthly fee on
the first in cost series.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import holidays
import numpy as np

from earmark.ai.series import DailySeries

DAYS = 365
PATTERNS = ("weekly", "twice_weekly", "biweekly", "monthly", "weekdays", "irregular", "conversions", "cost")


@dataclass
class LabelledSeries:
    name: str
    series: DailySeries
    anomalies: dict[date, str] = field(default_factory=dict)  # day -> kind
    normal_unusual: set[date] = field(default_factory=set)
    pattern: str = ""


def _release_days(pattern: str, rng: np.random.Generator, start: date, hol: set[date]) -> np.ndarray:
    release = np.zeros(DAYS, dtype=bool)
    weekday = np.array([(start + timedelta(days=t)).weekday() for t in range(DAYS)])
    if pattern == "weekly":
        release = weekday == rng.integers(0, 5)
    elif pattern == "twice_weekly":
        a = int(rng.integers(0, 3))
        release = (weekday == a) | (weekday == a + 2)
    elif pattern == "biweekly":
        w, phase = int(rng.integers(0, 5)), int(rng.integers(0, 2))
        release = (weekday == w) & ((np.arange(DAYS) // 7) % 2 == phase)
    elif pattern == "monthly":
        dom = int(rng.integers(1, 28))
        release = np.array([(start + timedelta(days=t)).day == dom for t in range(DAYS)])
    elif pattern == "weekdays":
        release = (weekday < 5) & np.array([(start + timedelta(days=t)) not in hol for t in range(DAYS)])
    elif pattern == "irregular":
        t = int(rng.integers(0, 5))
        while t < DAYS:
            release[t] = True
            t += int(rng.integers(3, 13))
    return release


def _shape(release: np.ndarray, peak: float, decay: float) -> np.ndarray:
    out = np.ones(DAYS)
    last = None
    for t in range(DAYS):
        if release[t]:
            last = t
        if last is not None and t - last < 21:
            out[t] = 1 + (peak - 1) * decay ** (t - last)
    return out


def _free(taken: np.ndarray, rng: np.random.Generator, length: int, lo: int = 20, hi: int = DAYS - 10) -> int:
    for _ in range(200):
        t = int(rng.integers(lo, hi - length))
        if not taken[max(0, t - 5):t + length + 5].any():
            taken[t:t + length] = True
            return t
    raise RuntimeError("no free stretch")


def make_series(index: int, seed: int = 2026, anomalies: bool = True) -> LabelledSeries:
    rng = np.random.default_rng([seed, index])
    pattern = PATTERNS[index % len(PATTERNS)]
    start = date(2025, 1, 1) + timedelta(days=int(rng.integers(0, 300)))
    hol = {d for y in (start.year, start.year + 1) for d in holidays.country_holidays("US", years=[y])}
    metric = {"conversions": "conversions", "cost": "hosting_cost"}.get(pattern, "downloads")
    level = 10 ** rng.uniform(1.3, 4.5) if metric != "conversions" else 10 ** rng.uniform(1.3, 2.7)
    trend = np.exp(np.linspace(0, rng.normal(0, 0.35), DAYS))
    rate = level * trend
    release = _release_days(pattern, rng, start, hol)
    days = [start + timedelta(days=t) for t in range(DAYS)]
    weekday = np.array([d.weekday() for d in days])
    labelled = LabelledSeries(f"{index:02d}-{pattern}", None, pattern=pattern)  # type: ignore[arg-type]
    if release.any():
        peak, decay = rng.uniform(1.8, 4.0), rng.uniform(0.3, 0.7)
        if pattern == "weekdays":
            peak, decay = rng.uniform(1.2, 1.6), 0.2
        rate = rate * _shape(release, peak, decay)
        if pattern in ("irregular", "biweekly", "monthly"):
            labelled.normal_unusual |= {days[t] for t in np.flatnonzero(release)}
    else:
        rate = rate * np.where(weekday >= 5, rng.uniform(0.6, 0.95), 1.0)
    taken = np.zeros(DAYS, dtype=bool)
    for t, d in enumerate(days):
        if d in hol:
            rate[t] *= rng.uniform(0.5, 0.8)
            labelled.normal_unusual.add(d)
            taken[t] = True
    if metric == "conversions":
        for t, d in enumerate(days):
            if d.month == 11 and d.weekday() == 4 and 23 <= d.day <= 29:  # Black Friday
                rate[t] *= rng.uniform(2.0, 3.0)
                rate[min(t + 3, DAYS - 1)] *= rng.uniform(1.6, 2.4)
                labelled.normal_unusual |= {d, days[min(t + 3, DAYS - 1)]}
                taken[t:t + 4] = True
    if metric == "hosting_cost":
        fee = rng.uniform(2.0, 5.0)
        for t, d in enumerate(days):
            if d.day == 1:
                rate[t] *= fee
                labelled.normal_unusual.add(d)
                taken[t] = True
    shift_at = None
    if anomalies:
        for _ in range(int(rng.integers(1, 4))):  # spikes
            length = int(rng.integers(1, 4))
            t = _free(taken, rng, length)
            rate[t:t + length] *= rng.uniform(2.5, 5.0)
            labelled.anomalies |= {days[k]: "spike" for k in range(t, t + length)}
        length = int(rng.integers(1, 6))  # a dip or an outage
        t = _free(taken, rng, length)
        rate[t:t + length] *= 0.0 if rng.random() < 0.5 else rng.uniform(0.1, 0.3)
        labelled.anomalies |= {days[k]: "dip" for k in range(t, t + length)}
        if rng.random() < 0.6:  # a lasting level shift
            shift_at = _free(taken, rng, 12, lo=90, hi=DAYS - 60)
            factor = rng.uniform(1.6, 2.5) if rng.random() < 0.5 else rng.uniform(0.35, 0.6)
            rate[shift_at:] *= factor
            labelled.anomalies |= {days[k]: "level_shift" for k in (shift_at, shift_at + 1)}
        if pattern == "weekly" and rng.random() < 0.7:  # the show moves its release day
            t = _free(taken, rng, 10, lo=150, hi=DAYS - 40)
            first = next(k for k in range(t, DAYS) if release[k])
            base = level * trend
            if shift_at is not None and first >= shift_at:
                base = base * factor
            moved = np.roll(release, 2)
            moved[:first] = False
            kept = release.copy()
            kept[first:] = False
            new_shape = _shape(kept | moved, peak, decay)
            rate[first:] = (base * new_shape)[first:]
            labelled.anomalies[days[first]] = "pattern_break"
    k = rng.uniform(15, 60)
    values = rng.poisson(rate * rng.gamma(k, 1 / k, DAYS)).astype(float)
    if metric == "hosting_cost":
        values = np.round(rate * rng.gamma(200, 1 / 200, DAYS), 2)
    missing = rng.random(DAYS) < 0.01
    if rng.random() < 0.5:
        t = _free(taken, rng, int(rng.integers(3, 11)))
        missing[t:t + int(rng.integers(3, 11))] = True
    for t in np.flatnonzero(missing):
        labelled.anomalies.pop(days[t], None)
        labelled.normal_unusual.discard(days[t])
    values[missing] = np.nan
    labelled.series = DailySeries(start, values, metric)
    return labelled


def labelled_set(count: int = 48, seed: int = 2026, anomalies: bool = True) -> list[LabelledSeries]:
    return [make_series(i, seed, anomalies) for i in range(count)]
