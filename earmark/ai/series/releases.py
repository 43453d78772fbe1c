"""When a show releases: the release days the model uses, the pattern they follow, when that pattern
changed, and the release days it implies for the future.

Release days come from the catalog when it knows them; otherwise they are learned from the series: a day
that jumps well above the week before it is a candidate, and candidates count as releases only where they
follow a regular pattern (weekly on one or several weekdays, every other week, monthly, or weekdays that
skip public holidays). A candidate off the pattern is left to the anomaly detector: a one-day jump on a day
the show never releases is what a spike looks like. The pattern is fitted on a first window and followed
through the series; where it fails for at least two cycles and another pattern fits the weeks after, the
pattern broke (a new weekday, every other week instead of weekly, a stop).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
FIT_DAYS = 56  # eight weeks: four releases even of a show that releases every other week
MONTHLY_FIT_DAYS = 120
AFTER_DAYS = 42  # the weeks a new pattern must hold to count as a break: at least two cycles of it
WEEKLY_SHARE = 0.6  # share of a weekday's weeks with a release for the weekday to be a release day


@dataclass(frozen=True)
class DayGrid:
    """Calendar facts of each day of a span, as arrays, so patterns are evaluated without date objects."""

    start: date
    weekday: np.ndarray
    week: np.ndarray  # weeks since 0001-01-01, Monday-aligned: its parity tells every-other-week releases
    day_of_month: np.ndarray
    holiday: np.ndarray  # bool: public holiday (weekday-only shows skip these)

    @classmethod
    def of(cls, start: date, days: int, holiday: np.ndarray) -> DayGrid:
        ordinal = start.toordinal() - 1 + np.arange(days)
        dom = np.array([(start + timedelta(days=int(i))).day for i in range(days)])
        return cls(start, ordinal % 7, ordinal // 7, dom, holiday.astype(bool))


@dataclass(frozen=True)
class ReleasePattern:
    kind: str  # weekly | biweekly | monthly | weekdays | none | irregular
    weekdays: tuple[int, ...] = ()
    parity: int | None = None  # biweekly: the parity of the release weeks
    nth: int | None = None  # monthly: the nth (0-based) such weekday of the month ...
    day_of_month: int | None = None  # ... or this day of the month

    @property
    def regular(self) -> bool:
        return self.kind in ("weekly", "biweekly", "monthly", "weekdays")

    def expected(self, grid: DayGrid) -> np.ndarray:
        """Bool per day of the grid: a release is due."""
        if self.kind == "monthly":
            if self.day_of_month is not None:
                return grid.day_of_month == self.day_of_month
            return (grid.weekday == self.weekdays[0]) & ((grid.day_of_month - 1) // 7 == self.nth)
        if not self.weekdays:
            return np.zeros(len(grid.weekday), dtype=bool)
        due = np.isin(grid.weekday, self.weekdays)
        if self.kind == "biweekly":
            due &= grid.week % 2 == self.parity
        if self.kind == "weekdays":
            due &= ~grid.holiday
        return due

    def describe(self) -> str:
        names = " and ".join(WEEKDAYS[w] + "s" for w in self.weekdays)
        if self.kind == "weekly":
            return f"weekly on {names}"
        if self.kind == "weekdays":
            return "every weekday but public holidays"
        if self.kind == "biweekly":
            return f"every other week on {names}"
        if self.kind == "monthly":
            if self.day_of_month is not None:
                return f"monthly on day {self.day_of_month}"
            nth = ("first", "second", "third", "fourth", "fifth")[self.nth or 0]
            return f"monthly on the {nth} {WEEKDAYS[self.weekdays[0]]}"
        return "no releases" if self.kind == "none" else "irregular releases"

    def as_dict(self) -> dict:
        return {"kind": self.kind, "description": self.describe(),
                "weekdays": [WEEKDAYS[w] for w in self.weekdays], "parity": self.parity, "nth": self.nth,
                "day_of_month": self.day_of_month}


@dataclass(frozen=True)
class PatternBreak:
    index: int  # the first day that followed the new pattern and not the old one
    before: ReleasePattern
    after: ReleasePattern


@dataclass(frozen=True)
class ReleaseHistory:
    source: str  # catalog | learned
    days: np.ndarray  # bool over history and horizon: the release days the model uses
    regimes: list[tuple[int, ReleasePattern]]  # (first day, pattern), in order
    breaks: list[PatternBreak]

    def as_dict(self, start: date, history_days: int) -> dict:
        """The current pattern on top (`pattern`: its kind, or 'catalog'), every regime and break below."""
        current = self.regimes[-1][1].as_dict()
        return {"pattern": "catalog" if self.source == "catalog" else current["kind"],
                "weekdays": [WEEKDAYS.index(w) for w in current["weekdays"]],
                "description": current["description"], "source": self.source,
                "releases": int(self.days[:history_days].sum()),
                "regimes": [{"from": (start + timedelta(days=i)).isoformat()} | p.as_dict()
                            for i, p in self.regimes],
                "breaks": [{"date": (start + timedelta(days=b.index)).isoformat(),
                            "before": b.before.describe(), "after": b.after.describe()} for b in self.breaks]}


def candidates(z: np.ndarray) -> np.ndarray:
    """Days that jump above the week before them by far more than the series' day-to-day noise."""
    s = pd.Series(z)
    week_before = s.rolling(7, min_periods=3).median().shift(1).to_numpy()
    yesterday = s.shift(1).to_numpy()
    seasonal_diff = (s - s.shift(7)).to_numpy()
    spread = np.nanmedian(np.abs(seasonal_diff - np.nanmedian(seasonal_diff))) * 1.4826 / np.sqrt(2.0)
    rise = max(3.0 * spread, np.log(1.3))
    above = z - week_before
    jump = np.where(np.isnan(yesterday), above, z - yesterday)
    with np.errstate(invalid="ignore"):
        # above the week by the full rise, above yesterday by half: an evening upload rises over two days
        found = (above > rise) & (jump > 0.5 * rise)
    found &= ~np.isnan(z)
    found[1:] &= ~found[:-1]  # a rise over two days is one release, on its first day
    return found


def fit_pattern(released: np.ndarray, known: np.ndarray, grid: DayGrid, lo: int, hi: int) -> ReleasePattern:
    """The regular pattern the releases of days lo..hi-1 follow, 'none' or 'irregular'."""
    rel, obs = released[lo:hi] & known[lo:hi], known[lo:hi]
    weekday, week = grid.weekday[lo:hi], grid.week[lo:hi]
    if rel.sum() <= 1:
        return ReleasePattern("none")
    weekly, biweekly, parity = [], [], None
    for w in range(7):
        on = obs & (weekday == w)
        n, r = int(on.sum()), int((rel & (weekday == w)).sum())
        if n < 3:
            continue
        if r / n >= WEEKLY_SHARE:
            weekly.append(w)
        elif n >= 4 and r >= 2 and r / n >= 0.3:
            parities = week[rel & (weekday == w)] % 2
            major = int(np.bincount(parities, minlength=2).argmax())
            due = on & (week % 2 == major)
            if np.mean(parities == major) >= 0.8 and (rel & due).sum() / max(due.sum(), 1) >= WEEKLY_SHARE:
                biweekly.append(w)
                parity = major
    if weekly and not biweekly:
        return ReleasePattern("weekdays" if len(weekly) >= 4 else "weekly", tuple(weekly))
    if biweekly and not weekly:
        return ReleasePattern("biweekly", tuple(biweekly), parity=parity)
    if weekly or biweekly or hi - lo < 84 or rel.sum() < 3:
        return ReleasePattern("irregular")
    dom, days = grid.day_of_month[lo:hi][rel], weekday[rel]
    values, counts = np.unique(dom, return_counts=True)
    if counts.max() >= 0.7 * rel.sum():
        return ReleasePattern("monthly", day_of_month=int(values[counts.argmax()]))
    keys = days * 10 + (dom - 1) // 7
    values, counts = np.unique(keys, return_counts=True)
    if counts.max() >= 0.7 * rel.sum():
        key = int(values[counts.argmax()])
        return ReleasePattern("monthly", (key // 10,), nth=key % 10)
    return ReleasePattern("irregular")


def _mismatches(released: np.ndarray, known: np.ndarray, due: np.ndarray) -> np.ndarray:
    return known & (released != due)


def follow_pattern(released: np.ndarray, known: np.ndarray, grid: DayGrid, n: int
                   ) -> tuple[list[tuple[int, ReleasePattern]], list[PatternBreak]]:
    """Fit the pattern on the first weeks and follow it through days 0..n-1, noting where it broke."""
    first = fit_pattern(released, known, grid, 0, min(n, FIT_DAYS))
    if not first.regular and n >= MONTHLY_FIT_DAYS:
        # a monthly show: the whole history, where a spike or a missed month counts little
        first = fit_pattern(released, known, grid, 0, n)
    regimes, breaks = [(0, first)], []
    pattern, due = first, first.expected(grid)
    # A monthly show gives too few releases in six weeks to judge a new pattern by; its breaks are not sought.
    if pattern.kind not in ("weekly", "biweekly", "weekdays"):
        return regimes, breaks
    wrong = _mismatches(released[:n], known[:n], due[:n])
    day = FIT_DAYS
    while day < n - 27:
        if not wrong[day]:
            day += 1
            continue
        hi = min(n, day + AFTER_DAYS)
        after = fit_pattern(released, known, grid, day, hi)
        old_wrong = int(wrong[day:hi].sum())
        if old_wrong >= 2 and after != pattern and after.kind != "irregular":
            new_due = after.expected(grid)
            new_wrong = _mismatches(released[:n], known[:n], new_due[:n])
            if new_wrong[day:hi].sum() <= max(1, old_wrong // 3):
                # the break is the first day the old pattern fails and the new one holds
                first_day = next((d for d in range(day, hi) if wrong[d] and not new_wrong[d]), day)
                breaks.append(PatternBreak(first_day, pattern, after))
                regimes.append((first_day, after))
                pattern, due, wrong = after, new_due, new_wrong
                day = first_day + 1
                continue
        day += 1
    return regimes, breaks


def _regime_due(regimes: list[tuple[int, ReleasePattern]], grid: DayGrid, span: int) -> np.ndarray:
    due = np.zeros(span, dtype=bool)
    for k, (first, pattern) in enumerate(regimes):
        last = regimes[k + 1][0] if k + 1 < len(regimes) else span
        due[first:last] = pattern.expected(grid)[first:last]
    return due


def robust_sigma(x: np.ndarray) -> float:
    """1.4826 x the median absolute deviation of the finite values: a standard deviation a few outliers
    cannot inflate."""
    x = x[np.isfinite(x)]
    if x.size == 0:
        return 0.0
    return float(1.4826 * np.median(np.abs(x - np.median(x))))


def release_history(z: np.ndarray, grid: DayGrid, catalog: tuple[date, ...] | None) -> ReleaseHistory:
    """Release days over the grid's span (history z plus any horizon after it).

    From the catalog: its days, and for a horizon it does not reach, the days its last pattern implies.
    Learned: the days the pattern of their time expects, history and horizon alike. Expected rather than
    seen, so that a release that did not come is a dip on a release day (the detector's pattern_break),
    and the days after a missing stretch still know the release inside it.
    """
    n, span = len(z), len(grid.weekday)
    if catalog is not None:
        offsets = np.array([(d - grid.start).days for d in catalog], dtype=int)
        offsets = offsets[(offsets >= 0) & (offsets < span)]
        released = np.zeros(span, dtype=bool)
        released[offsets] = True
        regimes, breaks = follow_pattern(released, np.ones(span, dtype=bool), grid, n)
        days = released.copy()
        if not released[n:].any() and regimes[-1][1].regular:
            days[n:] = _regime_due(regimes, grid, span)[n:]
        return ReleaseHistory("catalog", days, regimes, breaks)
    released = np.zeros(span, dtype=bool)
    released[:n] = candidates(z)
    regimes, breaks = follow_pattern(released, np.pad(~np.isnan(z), (0, span - n)), grid, n)
    return ReleaseHistory("learned", _regime_due(regimes, grid, span), regimes, breaks)
