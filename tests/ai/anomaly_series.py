"""A seeded generator of labelled daily podcast series, one year each, for the anomaly and forecast tests and
bench/anomaly_bench.py.

Each series draws its own country (US, GB, DE, CA), level (20 to 50,000 a day), trend, noise (negative
binomial: Poisson around a gamma-distributed rate), weekend dip, release schedule (weekly on one or two
weekdays, every other week, monthly, weekday-only skipping public holidays, irregular, or none for a
campaign's conversions, revenue or visits and for a cost series), release peak, decay shape (geometric,
power law, or a late upload peaking the next day) and per-episode pull, holidays (lower days), missing days
and stretches. The catalog's release dates are given for irregular shows and three in ten others; the rest
must be learned.

Labelled anomalies: spikes (1-3 days, each day labelled), dips and outages (1-5 days of zeros or a
fraction, each day labelled), level shifts up or down (only their first one to three days labelled: after
that the series is normal at its new level) and pattern breaks (a weekly show moves its release weekday,
goes every other week or stops: the first day off the old pattern is labelled). Labelled "looks unusual
but is normal": release peaks of irregular, monthly and biweekly shows, holiday dips, Black Friday and
Cyber Monday in conversion, revenue and visit series, the monthly fee on the first in cost series.
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


def _shape(release: np.ndarray, peak: float, decay: float, form: str) -> np.ndarray:
    """1 + the release bumps: geometric decay, a power law (a long tail), or a late release that peaks the
    day after (an evening upload); each release's bump also varies with the episode's pull."""
    out = np.ones(release.size)
    ages = np.arange(30)
    if form == "geometric":
        bump = decay ** ages
    elif form == "power":
        bump = (1.0 + ages) ** -(1.0 + 2.0 * decay)
    else:
        bump = np.concatenate([[0.45], decay ** ages[:-1]])
    pull = np.random.default_rng(int(release.sum()) + int(peak * 1000)).lognormal(0.0, 0.2, release.size)
    for t in np.flatnonzero(release):
        span = min(30, release.size - t)
        out[t:t + span] += (peak - 1) * pull[t] * bump[:span]
    return out


def _free(taken: np.ndarray, rng: np.random.Generator, length: int, lo: int = 20, hi: int = DAYS - 10) -> int:
    for _ in range(200):
        t = int(rng.integers(lo, hi - length))
        if not taken[max(0, t - 5):t + length + 5].any():
            taken[t:t + length] = True
            return t
    raise RuntimeError("no free stretch")


COUNTRIES = ("US", "US", "US", "GB", "DE", "CA")
METRICS = {"conversions": ("conversions", "revenue", "site_visits"), "cost": ("hosting_cost", "spend")}


def _pattern_break(release: np.ndarray, rng: np.random.Generator, taken: np.ndarray
                   ) -> tuple[np.ndarray, int]:
    """A weekly show changes schedule for good: moves its weekday, goes every other week, or stops. Returns
    the new release days and the first day that no longer follows the old pattern."""
    t = _free(taken, rng, 10, lo=150, hi=DAYS - 45)
    first = next(k for k in range(t, DAYS) if release[k])
    # a twice-weekly show is not moved: its rolled days could land on the old ones and hide the break
    move = 0.5 if release[first:first + 7].sum() == 1 else 0.0
    change = rng.choice(["move", "biweekly", "stop"], p=[move, (1 - move) / 2, (1 - move) / 2])
    new = release.copy()
    new[first:] = False
    if change == "move":
        new[first:] = np.roll(release, int(rng.integers(1, 4)))[first:]
    elif change == "biweekly":
        new[first:] = release[first:] & ((np.arange(DAYS - first) // 7) % 2 == 1)
    return new, first


def make_series(index: int, seed: int = 2026, anomalies: bool = True) -> LabelledSeries:
    rng = np.random.default_rng([seed, index])
    pattern = PATTERNS[index % len(PATTERNS)]
    start = date(2024, 6, 1) + timedelta(days=int(rng.integers(0, 500)))
    country = str(rng.choice(COUNTRIES))
    hol = {d for y in (start.year, start.year + 1) for d in holidays.country_holidays(country, years=[y])}
    metric = str(rng.choice(METRICS[pattern])) if pattern in METRICS else "downloads"
    level = 10 ** rng.uniform(1.3, 4.7) if pattern != "conversions" else 10 ** rng.uniform(1.3, 3.0)
    trend = np.exp(np.linspace(0, rng.normal(0, 0.35), DAYS))
    rate = level * trend
    release = _release_days(pattern, rng, start, hol)
    days = [start + timedelta(days=t) for t in range(DAYS)]
    weekday = np.array([d.weekday() for d in days])
    labelled = LabelledSeries(f"{index:02d}-{pattern}", None, pattern=pattern)  # type: ignore[arg-type]
    taken = np.zeros(DAYS, dtype=bool)
    if anomalies and pattern in ("weekly", "twice_weekly") and rng.random() < 0.6:
        release, broke = _pattern_break(release, rng, taken)
        labelled.anomalies[days[broke]] = "pattern_break"
    # the catalog knows the episodes of irregular shows (nothing could learn them) and of some others
    catalog = pattern == "irregular" or (release.any() and rng.random() < 0.3)
    rate = rate * np.where(weekday >= 5, rng.uniform(0.6, 1.0), 1.0)
    if release.any():
        peak, decay = rng.uniform(1.8, 5.0), rng.uniform(0.3, 0.7)
        form = str(rng.choice(["geometric", "power", "late"]))
        if pattern == "weekdays":
            peak, decay, form = rng.uniform(1.2, 1.6), 0.2, "geometric"
        rate = rate * _shape(release, peak, decay, form)
        if pattern in ("irregular", "biweekly", "monthly"):
            labelled.normal_unusual |= {days[t] for t in np.flatnonzero(release)}
    for t, d in enumerate(days):
        if d in hol:
            rate[t] *= rng.uniform(0.5, 0.8) if pattern not in METRICS else rng.uniform(0.4, 0.9)
            labelled.normal_unusual.add(d)
            taken[t] = True
    if metric in ("conversions", "revenue", "site_visits"):
        for t, d in enumerate(days):
            if d.month == 11 and d.weekday() == 4 and 23 <= d.day <= 29:  # Black Friday, then Cyber Monday
                rate[t] *= rng.uniform(2.0, 3.5)
                rate[min(t + 3, DAYS - 1)] *= rng.uniform(1.6, 2.6)
                labelled.normal_unusual |= {d, days[min(t + 3, DAYS - 1)]}
                taken[t:t + 4] = True
    if pattern == "cost":
        fee = rng.uniform(2.0, 8.0)
        for t, d in enumerate(days):
            if d.day == 1:
                rate[t] *= fee
                labelled.normal_unusual.add(d)
                taken[t] = True
    if anomalies:
        for _ in range(int(rng.integers(1, 4))):  # spikes
            length = int(rng.integers(1, 4))
            t = _free(taken, rng, length)
            rate[t:t + length] *= rng.uniform(2.5, 6.0)
            labelled.anomalies |= {days[k]: "spike" for k in range(t, t + length)}
        length = int(rng.integers(1, 6))  # a dip or an outage
        t = _free(taken, rng, length)
        rate[t:t + length] *= 0.0 if rng.random() < 0.5 else rng.uniform(0.1, 0.3)
        labelled.anomalies |= {days[k]: "dip" for k in range(t, t + length)}
        if rng.random() < 0.6:  # a lasting level shift; only its first one to three days are the news
            shift_at = _free(taken, rng, 12, lo=90, hi=DAYS - 60)
            rate[shift_at:] *= rng.uniform(1.6, 2.5) if rng.random() < 0.5 else rng.uniform(0.35, 0.6)
            first_days = range(shift_at, shift_at + int(rng.integers(1, 4)))
            labelled.anomalies |= {days[k]: "level_shift" for k in first_days}
    k = rng.uniform(15, 60)
    values = rng.poisson(rate * rng.gamma(k, 1 / k, DAYS)).astype(float)
    if pattern == "cost":
        values = np.round(rate * rng.gamma(200, 1 / 200, DAYS), 2)
    elif metric == "revenue":
        values = np.round(values * rng.uniform(20, 80), 2)  # orders times a basket
    missing = rng.random(DAYS) < 0.01
    if rng.random() < 0.5:
        t = _free(taken, rng, int(rng.integers(3, 11)))
        missing[t:t + int(rng.integers(3, 11))] = True
    for t in np.flatnonzero(missing):
        labelled.anomalies.pop(days[t], None)
        labelled.normal_unusual.discard(days[t])
    values[missing] = np.nan
    dates = tuple(days[t] for t in np.flatnonzero(release)) if catalog else None
    labelled.series = DailySeries(start, values, metric, dates, country)
    return labelled


def labelled_set(count: int = 48, seed: int = 2026, anomalies: bool = True) -> list[LabelledSeries]:
    return [make_series(i, seed, anomalies) for i in range(count)]
