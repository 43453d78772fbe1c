"""Conversions and ROAS of a campaign's placements for a planned spend per show and slot.

Each (show, slot) gets its response curve (earmark.ai.predictions.response) from its weekly history; the
tenant's placements of the same slot and kind form the pool a short history borrows from, and a (show,
slot) without history takes the pool's curve (or the tenant's overall one). ROAS uses the (show, slot)'s
revenue per conversion (the pool's without history). Validation is time-ordered: the curve fitted on the
earlier weeks predicts the last HOLDOUT share of them, beside a naive baseline that extrapolates the
training weeks' conversions per dollar linearly; both mean absolute errors are returned with the prediction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import numpy as np

from earmark.ai.predictions.response import VERSION, Curve, fit_curve

HOLDOUT = 0.25
MIN_VALIDATION_WEEKS = 8


@dataclass(frozen=True)
class PlacementWeek:
    placement_id: str
    campaign_id: str
    show_id: str
    slot: str
    kind: str
    week_start: date
    spend: float
    impressions: float
    conversions: float
    revenue: float


@dataclass(frozen=True)
class PlannedSpend:
    show_id: str
    slot: str
    weekly_spend: float
    kind: str = "host_read"
    weeks: int = 4


@dataclass(frozen=True)
class PlacementPrediction:
    show_id: str
    slot: str
    kind: str
    spend: float
    conversions: float
    conversions_lower: float
    conversions_upper: float
    roas: float | None
    roas_lower: float | None
    roas_upper: float | None
    pooled: bool
    validation: dict


@dataclass(frozen=True)
class CampaignPrediction:
    placements: list[PlacementPrediction]
    total: dict
    model: dict


def weekly(history: list[PlacementWeek]) -> dict[tuple, list[tuple[date, float, float, float]]]:
    """Per (show, slot, kind): (week, spend, conversions, revenue), weeks with spend only, oldest first."""
    sums: dict[tuple, dict[date, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0, 0.0]))
    for row in history:
        cell = sums[(row.show_id, row.slot, row.kind)][row.week_start]
        cell[0] += row.spend
        cell[1] += row.conversions
        cell[2] += row.revenue
    return {key: [(w, *v) for w, v in sorted(weeks.items()) if v[0] > 0]
            for key, weeks in sorted(sums.items()) if any(v[0] > 0 for v in weeks.values())}


def _pool(series: dict[tuple, list], slot: str, kind: str, rng: np.random.Generator) -> Curve | None:
    rows = [r for (s, sl, k), weeks in series.items() if (sl, k) == (slot, kind) for r in weeks]
    rows = rows or [r for weeks in series.values() for r in weeks]
    if len(rows) < 3:
        return None
    return fit_curve(np.array([r[1] for r in rows]), np.array([r[2] for r in rows]), rng)


def _validation(weeks: list, prior: Curve | None, rng: np.random.Generator) -> dict:
    n = len(weeks)
    test = max(1, int(round(n * HOLDOUT)))
    if n < MIN_VALIDATION_WEEKS:
        return {"holdout_weeks": 0, "model_mae": None, "baseline_mae": None,
                "baseline": "training conversions per dollar x spend",
                "note": f"{n} weeks of history: too few to hold any out"}
    train, held = weeks[:-test], weeks[-test:]
    spend = np.array([w[1] for w in train])
    conv = np.array([w[2] for w in train])
    curve = fit_curve(spend, conv, rng, prior)
    rate = conv.sum() / spend.sum() if spend.sum() else 0.0
    actual = np.array([w[2] for w in held])
    model = curve.conversions(np.array([w[1] for w in held]))
    naive = rate * np.array([w[1] for w in held])
    return {"holdout_weeks": test, "model_mae": round(float(np.mean(np.abs(model - actual))), 4),
            "baseline_mae": round(float(np.mean(np.abs(naive - actual))), 4),
            "baseline": "training conversions per dollar x spend", "train_weeks": n - test}


def predict_campaign(history: list[PlacementWeek], planned: list[PlannedSpend], *,
                     seed: int = 0) -> CampaignPrediction:
    series = weekly(history)
    if not series:
        raise ValueError("no placement of the tenant has a week with spend yet; a prediction needs history")
    rng = np.random.default_rng(seed)
    placements, total_draws, total_revenue_draws, curves = [], None, None, {}
    total_spend = 0.0
    for plan in sorted(planned, key=lambda p: (p.show_id, p.slot, p.kind)):
        weeks = series.get((plan.show_id, plan.slot, plan.kind), [])
        prior = _pool({k: v for k, v in series.items() if k != (plan.show_id, plan.slot, plan.kind)},
                      plan.slot, plan.kind, rng)
        if weeks:
            curve = fit_curve(np.array([w[1] for w in weeks]), np.array([w[2] for w in weeks]), rng, prior)
            per_conversion = sum(w[3] for w in weeks) / max(sum(w[2] for w in weeks), 1e-9)
        elif prior is not None:
            curve = Curve(prior.a, prior.b, prior.sigma, 0, True, prior.draws)
            pool_rows = [r for ws in series.values() for r in ws]
            per_conversion = sum(r[3] for r in pool_rows) / max(sum(r[2] for r in pool_rows), 1e-9)
        else:
            raise ValueError(f"no history for {plan.show_id}/{plan.slot} and none of the tenant's placements "
                             "to pool from")
        curves[f"{plan.show_id}/{plan.slot}/{plan.kind}"] = curve.as_json()
        draws = curve.drawn(plan.weekly_spend) * plan.weeks
        # each draw's weeks also carry Poisson noise: the interval is for what will be counted
        counted = rng.poisson(np.maximum(draws, 0))
        spend = plan.weekly_spend * plan.weeks
        point = float(curve.conversions(plan.weekly_spend) * plan.weeks)
        lo, hi = (float(v) for v in np.quantile(counted, [0.1, 0.9]))
        roas = roas_lo = roas_hi = None
        if spend > 0 and per_conversion > 0:
            roas, roas_lo, roas_hi = (round(v * per_conversion / spend, 4) for v in (point, lo, hi))
        placements.append(PlacementPrediction(
            plan.show_id, plan.slot, plan.kind, round(spend, 2), round(point, 4), round(min(lo, point), 4),
            round(max(hi, point), 4), roas, roas_lo, roas_hi, curve.pooled, _validation(weeks, prior, rng)))
        total_draws = counted if total_draws is None else total_draws + counted
        revenue = counted * per_conversion
        total_revenue_draws = revenue if total_revenue_draws is None else total_revenue_draws + revenue
        total_spend += spend
    point = sum(p.conversions for p in placements)
    lo, hi = (float(v) for v in np.quantile(total_draws, [0.1, 0.9]))
    total = {"spend": round(total_spend, 2), "conversions": round(point, 4),
             "conversions_lower": round(lo, 4), "conversions_upper": round(hi, 4)}
    if total_spend > 0:
        r_lo, r_hi = np.quantile(total_revenue_draws, [0.1, 0.9]) / total_spend
        total |= {"roas_lower": round(float(r_lo), 4), "roas_upper": round(float(r_hi), 4)}
    model = {"name": "earmark-response-curve", "version": VERSION, "curve": "exp(a) * spend^b, 0 < b <= 1",
             "pooling": "within the tenant, same slot and kind", "seed": seed, "curves": curves}
    return CampaignPrediction(placements, total, model)
