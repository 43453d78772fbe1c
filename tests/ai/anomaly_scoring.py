"""Scores flagged days against labelled ones, for Earmark's detector and the naive global z-score beside it.

Matching: a flagged day and a labelled day pair when they are at most TOLERANCE days apart; pairs are
one-to-one (scipy's linear_sum_assignment takes the most pairs, then the closest). A flag left without a
pair is a false positive, a label left without one a false negative. A false alarm on the normal-but-
unusual days is an unpaired flag within TOLERANCE of one of them. Ratios are 1.0 when there was nothing to
find and nothing was flagged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from scipy.optimize import linear_sum_assignment

from earmark.ai.anomalies import detect
from earmark.ai.series import DailySeries

TOLERANCE = 1
FAR = 1_000.0


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    normal_alarms: int = 0
    series: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0 if not self.fn else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def normal_alarms_per_series_year(self) -> float:
        return self.normal_alarms / self.series if self.series else 0.0

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.normal_alarms += other.normal_alarms
        self.series += other.series


def match(flagged: Iterable[date], labelled: Iterable[date]) -> tuple[int, list[date]]:
    """(pairs, the flags left unpaired)."""
    flags, labels = sorted(set(flagged)), sorted(set(labelled))
    if not flags or not labels:
        return 0, flags
    cost = np.array([[abs((f - lab).days) if abs((f - lab).days) <= TOLERANCE else FAR for lab in labels]
                     for f in flags])
    rows, cols = linear_sum_assignment(cost)
    paired = {rows[i] for i in range(len(rows)) if cost[rows[i], cols[i]] < FAR}
    return len(paired), [f for i, f in enumerate(flags) if i not in paired]


def score(flagged: Iterable[date], labelled: Iterable[date], normal: Iterable[date]) -> Score:
    labelled = set(labelled)
    pairs, unpaired = match(flagged, labelled)
    normal = set(normal)
    alarms = sum(1 for f in unpaired if any(f + timedelta(days=k) in normal
                                           for k in range(-TOLERANCE, TOLERANCE + 1)))
    flagged = set(flagged)
    return Score(tp=pairs, fp=len(flagged) - pairs, fn=len(labelled) - pairs, normal_alarms=alarms, series=1)


def earmark_flags(series: DailySeries) -> list[date]:
    return [a.date for a in detect(series).anomalies]


def zscore_flags(series: DailySeries, threshold: float = 3.0) -> list[date]:
    """What most dashboards do: |z| > 3 over the whole series."""
    values = np.asarray(series.values, dtype=float)
    mean, std = np.nanmean(values), np.nanstd(values)
    if not std:
        return []
    z = (values - mean) / std
    return [series.day(t) for t in np.flatnonzero(np.isfinite(z) & (np.abs(z) > threshold))]


METHODS: dict[str, Callable[[DailySeries], list[date]]] = {
    "Earmark (robust seasonal model)": earmark_flags,
    "global z-score (|z| > 3)": zscore_flags,
}


def evaluate(labelled_series) -> dict[str, Score]:
    totals = {name: Score() for name in METHODS}
    for item in labelled_series:
        for name, method in METHODS.items():
            totals[name].add(score(method(item.series), item.anomalies, item.normal_unusual))
    return totals


def table(totals: dict[str, Score]) -> str:
    lines = ["| method | TP | FP | FN | precision | recall | F1 | false alarms on normal-but-unusual days "
             "per series-year |", "|---|---|---|---|---|---|---|---|"]
    for name, s in totals.items():
        lines.append(f"| {name} | {s.tp} | {s.fp} | {s.fn} | {s.precision:.3f} | {s.recall:.3f} | "
                     f"{s.f1:.3f} | {s.normal_alarms_per_series_year:.2f} |")
    return "\n".join(lines)
