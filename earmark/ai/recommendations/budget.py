"""Budget shifts toward higher marginal return, on the response curves (earmark.ai.predictions.response).

At each (show, slot)'s recent weekly spend, the marginal revenue of the next dollar is the curve's slope
times its revenue per conversion; the curve saturates, so moving money changes the return of both sides
and the effect is computed on the curves, never by a linear extrapolation. A move takes SHIFT_SHARE of the
lowest-marginal placement's spend (at most what the receiving one spent recently, so the curve is not read
far past what it has seen) to the highest; its effect is the revenue gained minus the revenue lost per
week, with an 80 % interval over the curves' bootstrap draws. A move is recommended only when the whole
interval is above zero.
"""

from __future__ import annotations

import numpy as np

from earmark.ai.predictions.campaigns import PlacementWeek, weekly
from earmark.ai.predictions.response import VERSION, fit_curve
from earmark.ai.recommendations.types import Recommendation

RECENT_WEEKS = 4
SHIFT_SHARE = 0.2
MIN_WEEKS = 6


def budget_shifts(history: list[PlacementWeek], *, attribution_model: str, seed: int = 0,
                  max_moves: int = 3) -> list[Recommendation]:
    rng = np.random.default_rng(seed)
    cells = []
    for (show, slot, kind), weeks in weekly(history).items():
        if len(weeks) < MIN_WEEKS:
            continue
        spend = np.array([w[1] for w in weeks])
        curve = fit_curve(spend, np.array([w[2] for w in weeks]), rng)
        per_conversion = sum(w[3] for w in weeks) / max(sum(w[2] for w in weeks), 1e-9)
        current = float(np.mean(spend[-RECENT_WEEKS:]))
        cells.append({"key": f"{show}/{slot}", "kind": kind, "curve": curve, "per_conversion": per_conversion,
                      "spend": current, "marginal": curve.marginal(current) * per_conversion})
    cells.sort(key=lambda c: (c["marginal"], c["key"]))
    found: list[Recommendation] = []
    used: set[str] = set()
    low, high = 0, len(cells) - 1
    while low < high and len(found) < max_moves:
        give, take = cells[low], cells[high]
        amount = min(SHIFT_SHARE * give["spend"], take["spend"])
        if amount <= 0 or give["key"] in used or take["key"] in used:
            break
        gained = (take["curve"].drawn(take["spend"] + amount) - take["curve"].drawn(take["spend"])) \
            * take["per_conversion"]
        lost = (give["curve"].drawn(give["spend"]) - give["curve"].drawn(give["spend"] - amount)) \
            * give["per_conversion"]
        effect_draws = gained - lost
        lo, hi = (float(v) for v in np.quantile(effect_draws, [0.1, 0.9]))
        take_curve, give_curve = take["curve"], give["curve"]
        point = float((take_curve.conversions(take["spend"] + amount) - take_curve.conversions(take["spend"]))
                      * take["per_conversion"]
                      - (give_curve.conversions(give["spend"])
                         - give_curve.conversions(give["spend"] - amount))
                      * give["per_conversion"])
        if lo > 0:
            found.append(Recommendation(
                kind="budget_shift", target=f"{give['key']} -> {take['key']}",
                action=(f"Move {amount:,.0f} a week from {give['key']} to {take['key']}: the next dollar "
                        f"returns {take['marginal']:.2f} there against {give['marginal']:.2f} here."),
                effect=round(point, 2), effect_lower=round(min(lo, point), 2),
                effect_upper=round(max(hi, point), 2),
                effect_unit="revenue/week",
                evidence={"from": {"placement": give["key"], "weekly_spend": round(give["spend"], 2),
                                   "marginal_roas": round(give["marginal"], 4), **give["curve"].as_json()},
                          "to": {"placement": take["key"], "weekly_spend": round(take["spend"], 2),
                                 "marginal_roas": round(take["marginal"], 4), **take["curve"].as_json()},
                          "amount": round(amount, 2)},
                model={"name": "earmark-budget-shift", "version": VERSION,
                       "attribution_model": attribution_model, "curve": "exp(a) * spend^b", "seed": seed}))
            used |= {give["key"], take["key"]}
        low, high = low + 1, high - 1
    return found
