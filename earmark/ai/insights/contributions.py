"""Which part of a series made an anomaly: the IP key or episode behind a downloads spike, the campaign
behind a show's drop in conversions, the show behind a campaign's, the channel behind a campaign's visits.

For each value of the dimension, its gap on the anomaly's day is its amount then minus its typical amount
(the median over the BASELINE_DAYS before, absent days 0). The value with the largest gap in the
anomaly's direction is named, with its share of the total gap in that direction (0..1): "78 % of the
excess came from one IP key". Nothing is named when no single value carries at least MIN_SHARE of it or
Earmark holds no detail for the series (an imported metric).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import numpy as np
import psycopg

from earmark.sqlfiles import load

BASELINE_DAYS = 28
MIN_SHARE = 0.25
# (scope, metric) -> the dimensions Earmark holds detail for, each with its breakdown statement.
ECONOMIC = ("conversions", "revenue", "spend", "impressions")
BREAKDOWNS: dict[tuple[str, str], list[tuple[str, str]]] = {
    ("show", "downloads"): [("ip_key", "breakdown_downloads_by_ip_key"),
                            ("episode", "breakdown_downloads_by_episode")],
    **{("show", m): [("campaign", "breakdown_show_by_campaign")] for m in ECONOMIC},
    **{("campaign", m): [("show", "breakdown_campaign_by_show")] for m in ECONOMIC},
    ("campaign", "site_visits"): [("channel", "breakdown_visits_by_channel")],
}
# How a dimension reads in a sentence.
LABELS = {"ip_key": "IP key", "episode": "episode", "campaign": "campaign", "show": "show",
          "channel": "channel"}


def gap_shares(amounts: dict[str, dict[date, float]], day: date,
               direction: float) -> tuple[str, float] | None:
    """The value carrying most of the day's gap in `direction` (+1 excess, -1 shortfall), with its share."""
    gaps = {}
    for value, by_day in amounts.items():
        before = [by_day.get(day - timedelta(days=k), 0.0) for k in range(1, BASELINE_DAYS + 1)]
        gap = (by_day.get(day, 0.0) - float(np.median(before))) * direction
        if gap > 0:
            gaps[value] = gap
    total = sum(gaps.values())
    if total <= 0:
        return None
    value = min(gaps, key=lambda v: (-gaps[v], v))  # ties: the first value by name, so reruns agree
    return value, gaps[value] / total


def contributions(conn: psycopg.Connection, tenant_id: str, scope: str, entity_id: str, metric: str,
                  days: list[tuple[date, float]]) -> dict[date, tuple[str, str, float]]:
    """For each (day, direction) of one series' anomalies: (dimension, value, share), where one stands out."""
    breakdowns = BREAKDOWNS.get((scope, metric))
    if not breakdowns or not days:
        return {}
    start = min(d for d, _ in days) - timedelta(days=BASELINE_DAYS)
    end = max(d for d, _ in days)
    found: dict[date, tuple[str, str, float]] = {}
    for dimension, statement in breakdowns:
        amounts: dict[str, dict[date, float]] = defaultdict(dict)
        rows = conn.execute(load("earmark.ai.insights", statement),
                            {"tenant_id": tenant_id, "entity_id": entity_id, "metric": metric,
                             "start": start, "end": end}).fetchall()
        for value, day, amount in rows:
            amounts[str(value)][day] = float(amount or 0.0)
        for day, direction in days:
            best = gap_shares(amounts, day, direction)
            if best is None or best[1] < MIN_SHARE:
                continue
            if day not in found or best[1] > found[day][2]:
                found[day] = (dimension, best[0], round(best[1], 4))
    return found
