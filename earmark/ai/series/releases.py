"""Which days a show releases on: the catalog's episodes when Earmark knows them, else learned from the
series.

Learning looks for release peaks: days well above the series' own two-week median that decay over the next
days, as downloads after a release do. A schedule is a weekday that holds a peak in most of the trailing
PATTERN_WEEKS weeks (one or several weekdays; every other week when the peaks on a weekday come 14 days
apart; monthly when they keep one day of the month). A day of the schedule is an expected release, peak or
not, so a missed release or a change of schedule shows; after a change the trailing window forgets the old
weekday within a few weeks. Peaks off any schedule that decay like a release are kept as releases of an
irregular show; a one-off jump that does not decay stays what it looks like, an anomaly. Weekday-only
shows (five or more release weekdays) skip public holidays.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

PATTERN_WEEKS = 6
SCHEDULED_SHARE = 0.6
PEAK_Z = 2.5
MIN_PEAK_RATIO = np.log(1.3)
MIN_PEAKS = 4
SCHEDULE_Z = 1.0


def robust_sigma(x: np.ndarray) -> float:
    x = x[np.isfinite(x)]
    if x.size == 0:
        return 0.0
    return float(1.4826 * np.median(np.abs(x - np.median(x))))


def find_peaks(y: np.ndarray, z: float = PEAK_Z) -> tuple[np.ndarray, np.ndarray]:
    """(peak days, whether each decays like a release) on the transformed series: local maxima z robust
    sigmas above the two-week running median."""
    base = pd.Series(y).rolling(15, center=True, min_periods=5).median().to_numpy()
    r = y - base
    sigma = robust_sigma(r)
    threshold = max(z * sigma, MIN_PEAK_RATIO if z >= PEAK_Z else 0.0)
    left = np.concatenate([[-np.inf], r[:-1]])
    right = np.concatenate([r[1:], [-np.inf]])
    peak = np.isfinite(r) & (r > threshold) & (r >= np.nan_to_num(left, nan=-np.inf)) & \
        (r >= np.nan_to_num(right, nan=-np.inf))
    days = np.flatnonzero(peak)
    nxt = np.array([r[d + 1] if d + 1 < r.size else np.nan for d in days])
    decays = np.isfinite(nxt) & (nxt > 0.1 * r[days]) & (nxt < 0.85 * r[days])
    return days, decays


def learn(y: np.ndarray, start: date, total_days: int, holidays: frozenset[date]
          ) -> tuple[np.ndarray, dict]:
    """Expected release days over total_days (history and beyond) as a bool array, and the pattern found."""
    n = y.size
    releases = np.zeros(total_days, dtype=bool)
    days, decays = find_peaks(y)
    if days.size < MIN_PEAKS:
        return releases, {"pattern": "none", "peaks": int(days.size)}
    weekday0 = start.weekday()
    weekday = (np.arange(total_days) + weekday0) % 7
    observed = np.isfinite(y)
    # a schedule is judged on softer peaks: a weekday that is a local high in most weeks is a release day
    # even when noise hides some of its peaks from the strict test
    peak_mask = np.zeros(n, dtype=bool)
    peak_mask[find_peaks(y, SCHEDULE_Z)[0]] = True
    scheduled_weekdays: set[int] = set()
    for t in range(total_days):
        # the trailing window of the day (the last one of history for future days)
        end = min(t, n - 1)
        lo = max(0, end - 7 * PATTERN_WEEKS + 1)
        w = weekday[t]
        window = np.arange(lo, end + 1)
        same = window[(weekday[window] == w) & observed[window]]
        if same.size < 3:
            continue
        share = peak_mask[same].sum() / same.size
        if share >= SCHEDULED_SHARE:
            releases[t] = True
            scheduled_weekdays.add(int(w))
        elif share >= 0.35:
            # every other week: the weekday's peaks are 14 days apart; expected 14 days after the last
            on_day = [d for d in same if peak_mask[d]]
            if len(on_day) >= 2 and np.median(np.diff(on_day)) == 14 and (t - on_day[-1]) % 14 == 0:
                releases[t] = True
                scheduled_weekdays.add(int(w))
    pattern = "weekly" if scheduled_weekdays else "irregular"
    if not scheduled_weekdays:
        monthly = _monthly(days, start, total_days)
        if monthly is not None:
            releases |= monthly
            pattern = "monthly"
    if len(scheduled_weekdays) >= 5:
        pattern = "weekdays"
        for t in np.flatnonzero(releases):
            if start + timedelta(days=int(t)) in holidays:
                releases[t] = False
    # irregular releases of the history: peaks off the schedule that decay like one
    for d, decaying in zip(days, decays, strict=True):
        if decaying and not releases[max(0, d - 1):d + 2].any():
            releases[d] = True
    return releases, {"pattern": pattern, "weekdays": sorted(scheduled_weekdays), "peaks": int(days.size)}


def _monthly(days: np.ndarray, start: date, total_days: int) -> np.ndarray | None:
    doms = [(start + timedelta(days=int(d))).day for d in days]
    if not doms:
        return None
    values, counts = np.unique(doms, return_counts=True)
    best = int(values[np.argmax(counts)])
    months = max(1, len({(start + timedelta(days=int(d))).month for d in days}))
    if counts.max() < max(3, 0.6 * months):
        return None
    return np.array([(start + timedelta(days=t)).day == best for t in range(total_days)])


def from_dates(release_dates: tuple[date, ...], start: date, total_days: int) -> np.ndarray:
    releases = np.zeros(total_days, dtype=bool)
    for d in release_dates:
        t = (d - start).days
        if 0 <= t < total_days:
            releases[t] = True
    return releases
