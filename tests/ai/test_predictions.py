"""Campaign predictions and recommendations on seeded histories whose response curves are known."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from earmark.ai.predictions import PlacementWeek, PlannedSpend, predict_campaign
from earmark.ai.recommendations import ad_read_fixes, anomaly_actions, budget_shifts

MONDAY = date(2026, 1, 5)
# true weekly conversions = scale * spend^elasticity (saturating), revenue 50 a conversion
TRUTH = {("s1", "mid"): (2.0, 0.5), ("s2", "pre"): (0.05, 0.9), ("s3", "post"): (1.0, 0.5)}


def expected(show: str, slot: str, spend: float) -> float:
    scale, b = TRUTH[(show, slot)]
    return scale * spend ** b


def history(weeks: int = 40, seed: int = 4, short: tuple[str, str] | None = None) -> list[PlacementWeek]:
    rng = np.random.default_rng(seed)
    rows = []
    for (show, slot), _ in sorted(TRUTH.items()):
        n = 2 if (show, slot) == short else weeks
        for w in range(n):
            spend = float(rng.uniform(200, 3000))
            conversions = float(rng.poisson(expected(show, slot, spend)))
            rows.append(PlacementWeek(f"p-{show}", "c1", show, slot, "host_read", MONDAY + timedelta(weeks=w),
                                      spend, spend * 40, conversions, 50.0 * conversions))
    return rows


def test_the_curve_saturates_and_its_intervals_cover_the_truth():
    found = predict_campaign(history(), [PlannedSpend("s1", "mid", 1000, weeks=1),
                                         PlannedSpend("s3", "post", 4000, weeks=1)])
    by_show = {p.show_id: p for p in found.placements}
    one = by_show["s1"]
    assert one.conversions_lower <= expected("s1", "mid", 1000) <= one.conversions_upper
    doubled = predict_campaign(history(), [PlannedSpend("s1", "mid", 2000, weeks=1)]).placements[0]
    assert doubled.conversions < 1.6 * one.conversions  # square-root truth: about 1.41 times
    assert abs(one.roas - 50 * one.conversions / 1000) < 1e-3
    assert found.model["curves"]["s1/mid/host_read"]["elasticity"] == pytest.approx(0.5, abs=0.15)
    # the model beats a linear extrapolation of conversions per dollar on the held-out weeks
    assert one.validation["model_mae"] < one.validation["baseline_mae"]
    assert found.total["conversions_lower"] <= found.total["conversions"] <= found.total["conversions_upper"]


def test_a_short_history_borrows_from_the_tenants_pool():
    found = predict_campaign(history(short=("s3", "post")), [PlannedSpend("s3", "post", 1500, weeks=1)])
    p = found.placements[0]
    assert p.pooled and p.validation["holdout_weeks"] == 0
    assert abs(p.conversions - expected("s3", "post", 1500)) < 0.35 * expected("s3", "post", 1500)


def test_predictions_are_seeded_and_refuse_without_history():
    plan = [PlannedSpend("s1", "mid", 1000)]
    assert predict_campaign(history(), plan, seed=3) == predict_campaign(history(), plan, seed=3)
    with pytest.raises(ValueError, match="no placement of the tenant has a week with spend"):
        predict_campaign([], plan)


def test_budget_moves_from_the_saturated_show_to_the_one_that_is_not():
    found = budget_shifts(history(), attribution_model="linear")
    assert found, "a shift between a saturated and a nearly linear curve"
    first = found[0]
    # the truth's marginal return at the mean spend: s1/mid highest, s3/post lowest
    marginal = {f"{show}/{slot}": scale * b * 1600 ** (b - 1) for (show, slot), (scale, b) in TRUTH.items()}
    ranked = sorted(marginal, key=marginal.get)
    assert first.target == f"{ranked[0]} -> {ranked[-1]}" and first.effect_lower > 0
    assert first.effect_lower <= first.effect <= first.effect_upper
    assert first.model["attribution_model"] == "linear"
    assert first.evidence["to"]["marginal_roas"] > first.evidence["from"]["marginal_roas"]


def test_ad_read_fixes_find_the_planted_difference():
    rng = np.random.default_rng(9)
    reads = [{"episode_id": f"e{i}", "seq": 1, "campaign_id": "c1", "show_id": "s1",
              "code_said": i % 2 == 0, "url_said": True, "url_repeats": 2, "cta": True, "position": "mid",
              "outcome": float(rng.normal(3.0 if i % 2 == 0 else 1.0, 0.5))} for i in range(30)]
    found = ad_read_fixes(reads, attribution_model="linear")
    assert {r.evidence["property"] for r in found} == {"code_said"}
    assert {r.target for r in found} == {f"episode e{i} read 1" for i in range(1, 30, 2)}
    assert all(abs(r.effect - 2.0) < 0.5 and 0 < r.effect_lower <= r.effect <= r.effect_upper for r in found)


def test_an_outage_on_a_show_with_spend_needs_action_and_one_without_does_not():
    outage = {"show_id": "s1", "campaign_id": None, "metric": "impressions", "date": date(2026, 3, 3),
              "kind": "dip", "actual": 0.0, "expected": 1200.0, "lower": 900.0, "upper": 1500.0,
              "explanation": "Impressions fell to 0."}
    quiet = {**outage, "show_id": "s9"}
    found = anomaly_actions([outage, quiet], [{"show_id": "s1", "spend_per_day": 40.0}],
                            attribution_model="linear")
    assert [(r.target, r.effect, r.effect_lower, r.effect_upper) for r in found] == [
        ("s1 impressions 2026-03-03", 1200.0, 900.0, 1500.0)]
