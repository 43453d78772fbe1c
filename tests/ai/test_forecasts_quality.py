"""Forecasts: rolling-origin backtests against the seasonal-naive forecast, and what they may read."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from forecast_backtest import backtest

from earmark.ai.forecasts import forecast
from earmark.ai.series import DailySeries

START = date(2025, 1, 6)


def test_rolling_origin_backtests_beat_seasonal_naive_with_calibrated_intervals():
    result = backtest()
    assert result.forecasts >= 80
    assert result.mase <= 0.85, result
    assert result.relative_mae < 1.0, result
    assert 0.70 <= result.coverage <= 0.90, result


def _series(values, releases=None):
    return DailySeries(START, np.asarray(values, dtype=float), "downloads", releases)


def test_nothing_after_as_of_is_read():
    rng = np.random.default_rng(1)
    values = rng.poisson(500 * (0.3 + 0.7 * 0.5 ** (np.arange(300) % 7))).astype(float)
    changed = values.copy()
    changed[201:] *= 10
    as_of = START + timedelta(days=200)
    assert forecast(_series(values), 14, as_of) == forecast(_series(changed), 14, as_of)
    points = forecast(_series(values), 14, as_of).points
    assert [p.date for p in points] == [as_of + timedelta(days=k) for k in range(1, 15)]
    assert all(0 <= p.lower <= p.predicted <= p.upper for p in points)


def test_known_future_releases_are_honoured():
    rng = np.random.default_rng(2)
    base = np.full(200, 300.0)
    releases = tuple(START + timedelta(days=t) for t in range(0, 200, 7))
    rate = base * (1 + 2 * 0.4 ** (np.arange(200) % 7))
    values = rng.poisson(rate).astype(float)
    # the catalog announces an extra release on a Thursday after the history
    extra = START + timedelta(days=206)
    found = forecast(_series(values, releases + (extra,)), 14, START + timedelta(days=199))
    by_day = {p.date: p.predicted for p in found.points}
    assert by_day[extra] > 2 * by_day[extra - timedelta(days=1)]
    assert found.model["release_pattern"]["pattern"] == "catalog"


def test_too_short_a_history_or_horizon_is_refused():
    with pytest.raises(ValueError, match="needs at least 28"):
        forecast(_series(np.ones(20)), 7)
    with pytest.raises(ValueError, match="horizon 0 must be at least one day"):
        forecast(_series(np.ones(60)), 0)
