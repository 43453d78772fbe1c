"""Incrementality lift (issue 17): standardised rates by hand, interval coverage on seeded simulations with a
known lift, confounding by show and week, small groups and the minimum detectable lift."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy.stats import norm

from earmark.households.lift import (
    DEFAULT_SEED,
    LiftError,
    LiftInput,
    lift,
    minimum_detectable_lift,
    simulate,
)


def rows(*cells: tuple[int, bool, int, int]) -> LiftInput:
    """(stratum, exposed, households, of which converted) cells as one row per household."""
    strata, exposed, outcome = [], [], []
    for stratum, is_exposed, households, converted in cells:
        strata += [stratum] * households
        exposed += [is_exposed] * households
        outcome += [1] * converted + [0] * (households - converted)
    return LiftInput(np.array(strata), np.array(exposed), np.array(outcome))


def covers(result, value: float) -> bool:
    return result.ci_low <= value <= result.ci_high


def test_hand_worked_standardised_rates_counts_and_dropped_households():
    data = rows((1, True, 4, 2), (1, False, 10, 3),    # stratum 1: exposed 2/4, control 3/10
                (2, True, 6, 1), (2, False, 5, 1),     # stratum 2: exposed 1/6, control 1/5
                (3, True, 3, 3),                       # stratum 3: exposed only, dropped
                (4, False, 7, 7))                      # stratum 4: control only, dropped
    result = lift(*data, metric="conversions")
    # exposed: 3 of 10; control weighted by the exposed shares 4/10 and 6/10: 0.4 * 0.3 + 0.6 * 0.2
    assert result.exposed_rate == pytest.approx(0.3)
    assert result.control_rate == pytest.approx(0.24)
    assert result.lift == pytest.approx(0.25)
    assert (result.exposed_households, result.control_households) == (10, 15)
    assert (result.dropped_exposed, result.dropped_control, result.strata) == (3, 7, 2)
    assert result.ci_low < result.lift < result.ci_high
    assert (result.resamples, result.seed, result.reason) == (2000, DEFAULT_SEED, None)
    # the pooled control rate (4/15) is not the matched one
    assert pytest.approx(result.control_rate) != 4 / 15
    assert "3 exposed households had no control household" in result.statement
    assert json.loads(json.dumps(result.as_json()))["lift"] == pytest.approx(0.25)


def test_the_interval_covers_a_true_lift_of_20_percent_in_at_least_90_of_100_runs(record_property):
    results = [lift(*simulate(seed, 20_000, 0.20, base_rate=0.05), metric="conversions", resamples=1000)
               for seed in range(100)]
    covered = sum(covers(r, 0.20) for r in results)
    record_property("coverage_true_lift_0.20", covered)
    print(f"coverage of a true lift of 0.20: {covered}/100")
    assert covered >= 90, f"the 95 % interval covered the true lift 0.20 in only {covered} of 100 runs"
    # and it is an estimate of that lift, not merely a wide interval
    assert np.mean([r.lift for r in results]) == pytest.approx(0.20, abs=0.02)


def test_the_interval_covers_zero_in_at_least_90_of_100_runs_without_lift(record_property):
    results = [lift(*simulate(1000 + seed, 20_000, 0.0, base_rate=0.05), metric="conversions",
                    resamples=1000) for seed in range(100)]
    covered = sum(covers(r, 0.0) for r in results)
    record_property("coverage_no_lift", covered)
    print(f"coverage of no lift: {covered}/100")
    assert covered >= 90, f"the 95 % interval covered 0 in only {covered} of 100 runs without lift"
    assert sum(r.significant for r in results) == 100 - covered


def test_matching_on_show_and_week_removes_the_bias_of_a_pooled_comparison():
    # the campaign reaches 10 % of the households of the least converting stratum, 60 % of the most
    strata, exposed, outcome = simulate(7, 100_000, 0.0, base_rate=0.05, confounded=True)
    naive = outcome[exposed].mean() / outcome[~exposed].mean() - 1
    result = lift(strata, exposed, outcome, metric="conversions")
    assert naive > 0.15, naive
    assert covers(result, 0.0), (result.ci_low, result.ci_high)
    assert abs(result.lift) < 0.06
    assert not result.significant


def test_small_groups_are_not_significant_and_state_the_minimum_detectable_lift():
    data = rows((1, True, 20, 3), (1, False, 30, 3), (2, True, 20, 2), (2, False, 30, 2))
    result = lift(*data, metric="conversions")
    assert (result.exposed_households, result.control_households) == (40, 60)
    p = 0.5 * 3 / 30 + 0.5 * 2 / 30
    assert result.control_rate == pytest.approx(p)
    expected = (norm.ppf(0.975) + norm.ppf(0.80)) * math.sqrt(p * (1 - p) * (1 / 40 + 1 / 60)) / p
    assert result.minimum_detectable_lift == pytest.approx(expected, rel=1e-9)
    assert minimum_detectable_lift(p, 40, 60) == pytest.approx(expected, rel=1e-9)
    assert not result.significant
    assert result.ci_low < 0 < result.ci_high
    assert result.statement.startswith("The groups are too small to tell")
    wording = f"only a lift of at least {expected * 100:,.0f} % would be detected 80 % of the time"
    assert wording in result.statement
    assert "with 40 exposed and 60 control households" in result.statement


def test_a_clear_lift_reads_as_one_sentence_up_and_down():
    up = lift(*simulate(3, 100_000, 0.5, base_rate=0.05), metric="visits")
    assert up.significant and up.ci_low > 0
    assert up.statement.startswith("Exposed households visited ")
    assert "more often than matched control households (95 % CI " in up.statement
    down = lift(*simulate(3, 100_000, -0.4, base_rate=0.05), metric="conversions")
    assert down.significant and down.ci_high < 0
    assert "converted" in down.statement and "less often" in down.statement
    assert "\u2212" in down.statement  # the interval's bounds are negative


def test_the_same_seed_gives_the_same_interval_and_another_seed_another():
    data = simulate(11, 20_000, 0.2)
    first, again = lift(*data, seed=5), lift(*data, seed=5)
    assert (first.ci_low, first.ci_high) == (again.ci_low, again.ci_high)
    other = lift(*data, seed=6)
    assert (other.ci_low, other.ci_high) != (first.ci_low, first.ci_high)
    assert other.lift == first.lift
    assert lift(*data).seed == DEFAULT_SEED


def test_a_control_rate_of_zero_gives_no_lift_and_says_why():
    result = lift(*rows((1, True, 50, 5), (1, False, 80, 0)), metric="conversions")
    assert result.lift is None and result.ci_low is None and result.ci_high is None
    assert result.control_rate == 0 and result.exposed_rate == pytest.approx(0.1)
    assert "control rate is 0" in result.reason
    assert not result.significant and result.minimum_detectable_lift is None
    assert result.statement.startswith("No lift can be given: no matched control household converted")

    nothing = lift(*rows((1, True, 5, 1), (2, False, 5, 1)))
    assert nothing.lift is None and nothing.dropped_exposed == 5 and nothing.dropped_control == 5
    assert "no show and week has both exposed and control households" in nothing.reason


def test_the_binomial_bootstrap_matches_resampling_household_indices():
    # counts, not 0/1: the chain of binomials against drawing row indices within each group and stratum
    rng = np.random.default_rng(42)
    sizes = {(0, True): 40, (0, False): 90, (1, True): 70, (1, False): 60, (2, True): 25, (2, False): 120}
    strata, exposed, outcome = [], [], []
    for (stratum, is_exposed), n in sizes.items():
        strata += [stratum] * n
        exposed += [is_exposed] * n
        outcome += list(rng.poisson(0.6 + 0.3 * stratum + 0.3 * is_exposed, n))
    strata, exposed, outcome = np.array(strata), np.array(exposed), np.array(outcome, dtype=float)
    assert len(np.unique(outcome)) > 3

    resamples = 20_000
    result = lift(strata, exposed, outcome, resamples=resamples, seed=1)
    draw = np.random.default_rng(2)
    exposed_total, control_rate = np.zeros(resamples), np.zeros(resamples)
    n_exposed = exposed.sum()
    for stratum in range(3):
        for is_exposed in (True, False):
            y = outcome[(strata == stratum) & (exposed == is_exposed)]
            total = y[draw.integers(0, y.size, size=(resamples, y.size))].sum(axis=1)
            if is_exposed:
                exposed_total += total
            else:
                control_rate += sizes[(stratum, True)] / n_exposed * total / y.size
    brute = np.quantile(exposed_total / n_exposed / control_rate - 1, [0.025, 0.975])
    width = result.ci_high - result.ci_low
    assert result.ci_low == pytest.approx(brute[0], abs=0.03 * width)
    assert result.ci_high == pytest.approx(brute[1], abs=0.03 * width)
    # counts: the power uses the control outcomes' variance, not p(1 - p)
    variance = outcome[~exposed].var(ddof=1)
    assert result.minimum_detectable_lift == pytest.approx(
        minimum_detectable_lift(result.control_rate, n_exposed, (~exposed).sum(), variance=variance))


@pytest.mark.parametrize(("strata", "exposed", "outcome", "words"), [
    ([1, 2], [True], [0, 1], "differ in length"),
    ([1.5, 2.0], [True, False], [0, 1], "integer"),
    ([1, 2], [True, False], [0, -1], "not negative"),
    ([1, 2], [2, 0], [0, 1], "booleans"),
])
def test_bad_input_is_refused_with_a_sentence(strata, exposed, outcome, words):
    with pytest.raises(LiftError, match=words):
        lift(np.array(strata), np.array(exposed), np.array(outcome))


def test_fewer_than_a_thousand_resamples_are_refused():
    with pytest.raises(LiftError, match="at least 1,000"):
        lift(*simulate(1, 1000, 0.0), resamples=999)
