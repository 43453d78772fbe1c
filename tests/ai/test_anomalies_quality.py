"""Anomaly detection on the labelled synthetic set (anomaly_series.py), scored beside the naive global
z-score, and on small cases whose answer is known by construction."""

from __future__ import annotations

import json
from datetime import date, timedelta

import numpy as np
import pytest
from anomaly_scoring import evaluate, match, score, table
from anomaly_series import labelled_set

from earmark.ai.anomalies import detect
from earmark.ai.series import DailySeries

START = date(2025, 1, 6)  # a Monday


@pytest.fixture(scope="module")
def labelled():
    return labelled_set(48)


def weekly_show(days: int = 365, level: float = 800.0, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rate = level * (0.3 + 0.7 * 0.5 ** (np.arange(days) % 7))  # Monday releases decaying over the week
    return rng.poisson(rate).astype(float)


def test_the_detector_beats_the_global_z_score_on_the_labelled_set(labelled):
    assert len(labelled) >= 40
    totals = evaluate(labelled)
    ours, naive = totals["Earmark (robust seasonal model)"], totals["global z-score (|z| > 3)"]
    print(table(totals))
    assert ours.f1 >= 0.7, table(totals)
    assert ours.f1 > naive.f1 + 0.2
    # the normal-but-unusual days (release peaks, holidays, Black Friday, billing days) stay quiet
    assert ours.normal_alarms_per_series_year <= 1.0
    assert naive.normal_alarms_per_series_year > ours.normal_alarms_per_series_year


def test_few_series_cry_wolf_on_their_normal_days(labelled):
    alarms = [score([a.date for a in detect(item.series).anomalies], item.anomalies,
                    item.normal_unusual).normal_alarms for item in labelled]
    # the average is the goal above; no more than one series in ten may pass it at all
    assert sum(1 for n in alarms if n > 1) <= len(alarms) / 10, alarms


def test_release_peaks_of_a_weekly_show_are_not_anomalies():
    found = detect(DailySeries(START, weekly_show(), "downloads"))
    assert [a for a in found.anomalies if a.date.weekday() == 0] == []
    assert len(found.anomalies) <= 1
    assert found.model["release_pattern"]["pattern"] == "weekly"
    assert found.model["release_pattern"]["weekdays"] == [0]


def test_every_day_of_an_outage_is_a_dip():
    values = weekly_show()
    values[100:103] = 0
    found = {a.date: a for a in detect(DailySeries(START, values, "downloads")).anomalies}
    outage = [START + timedelta(days=t) for t in (100, 101, 102)]
    assert all(found[d].kind == "dip" and found[d].actual == 0 and found[d].expected > 100 for d in outage)
    assert "fell to 0" in found[outage[0]].explanation


def test_a_level_shift_is_flagged_at_its_start_then_adapted_to():
    values = weekly_show()
    values[200:] *= 1.8
    found = detect(DailySeries(START, values, "downloads"))
    shift = [a for a in found.anomalies if a.kind == "level_shift"]
    assert [a.date for a in shift] == [START + timedelta(days=200), START + timedelta(days=201)]
    assert all(a.actual > 1.4 * a.expected for a in shift)
    assert not [a for a in found.anomalies if a.date > START + timedelta(days=205)]


def test_a_missing_week_raises_no_alarm():
    values = weekly_show()
    values[150:157] = np.nan
    found = detect(DailySeries(START, values, "downloads"))
    near = (START + timedelta(days=148), START + timedelta(days=159))
    assert not [a for a in found.anomalies if near[0] <= a.date <= near[1]]


def test_a_missed_release_is_a_pattern_break():
    values = weekly_show()
    values[175] = values[174] * 0.9  # the Monday release did not come
    found = {a.date: a for a in detect(DailySeries(START, values, "downloads")).anomalies}
    day = START + timedelta(days=175)
    assert found[day].kind == "pattern_break" and found[day].release
    assert found[day].explanation.startswith("No release peak")


def test_black_friday_is_a_promotion_day_for_conversions_not_an_anomaly():
    rng = np.random.default_rng(5)
    start = date(2025, 1, 1)
    days = [start + timedelta(days=t) for t in range(400)]
    rate = np.array([60.0 * (2.5 if d == date(2025, 11, 28) else 1.8 if d == date(2025, 12, 1) else 1.0)
                     for d in days])
    found = detect(DailySeries(start, rng.poisson(rate).astype(float), "conversions"))
    assert not [a for a in found.anomalies if a.date in (date(2025, 11, 28), date(2025, 12, 1))]
    # the same day in a downloads series is a spike
    downloads = detect(DailySeries(start, rng.poisson(rate).astype(float), "downloads"))
    assert date(2025, 11, 28) in {a.date for a in downloads.anomalies}


def test_detection_is_deterministic():
    values = weekly_show()
    values[80] *= 4
    one = detect(DailySeries(START, values, "downloads"))
    two = detect(DailySeries(START, values, "downloads"))
    assert one == two and one.anomalies


def test_too_little_history_is_said_plainly():
    with pytest.raises(ValueError, match="only 10 days with values; the model needs at least 28"):
        detect(DailySeries(START, np.ones(10), "downloads"))


def test_the_scorer_pairs_within_a_day_one_to_one():
    d = date(2026, 1, 10)
    # two flags around one label: one pair; a flag two days off pairs with nothing
    assert match([d, d + timedelta(days=1)], [d]) == (1, [d + timedelta(days=1)])
    assert match([d + timedelta(days=2)], [d]) == (0, [d + timedelta(days=2)])
    s = score([d, d + timedelta(days=5)], [d, d + timedelta(days=1)], [d + timedelta(days=6)])
    assert (s.tp, s.fp, s.fn, s.normal_alarms) == (1, 1, 1, 1)
    assert round(s.f1, 4) == 0.5


def test_a_show_that_moves_its_release_day_is_one_pattern_break():
    days = np.arange(365)
    rng = np.random.default_rng(4)
    release = np.where(days < 203, days % 7 == 0, days % 7 == 3)  # Mondays, then Thursdays from day 206
    since = np.zeros(365)
    for t in range(1, 365):
        since[t] = 0 if release[t] else since[t - 1] + 1
    values = rng.poisson(800 * (0.3 + 0.7 * 0.5 ** since)).astype(float)
    found = detect(DailySeries(START, values, "downloads"))
    breaks = [a for a in found.anomalies if a.kind == "pattern_break"]
    # the first Monday without a release (day 203) is the day the pattern broke; the Thursdays are normal
    assert [a.date for a in breaks] == [START + timedelta(days=203)]
    assert "from releasing weekly on Mondays to weekly on Thursdays" in breaks[0].explanation
    assert not [a for a in found.anomalies if a.date.weekday() == 3]
    assert found.model["release_pattern"]["breaks"][0]["after"] == "weekly on Thursdays"


def test_catalog_release_days_of_an_irregular_show_are_expected():
    rng = np.random.default_rng(8)
    gaps = rng.integers(3, 13, 60)
    offsets = np.cumsum(gaps)
    offsets = offsets[offsets < 365]
    since = np.full(365, 30.0)
    for t in range(365):
        earlier = offsets[offsets <= t]
        since[t] = t - earlier[-1] if earlier.size else 30
    values = rng.poisson(300 * (1 + 3 * 0.5 ** since)).astype(float)
    catalog = tuple(START + timedelta(days=int(t)) for t in offsets)
    with_catalog = detect(DailySeries(START, values, "downloads", catalog))
    assert len(with_catalog.anomalies) <= 1
    assert with_catalog.model["release_pattern"]["pattern"] == "catalog"
    assert with_catalog.model["release_pattern"]["releases"] == len(catalog)


def test_the_model_is_stored_as_json():
    found = detect(DailySeries(START, weekly_show(), "hosting_cost"))
    stored = json.loads(json.dumps(found.model))
    assert stored["version"] and stored["name"] and stored["alert_z"] == 4.0
    assert "first_of_month" in stored["effects"]
