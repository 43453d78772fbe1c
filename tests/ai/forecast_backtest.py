"""Rolling-origin backtests of the forecasts on the labelled generator's series without anomalies: several
origins per series, each forecasting the next HORIZON days from data up to the origin only.

MASE: the forecast's mean absolute error over the horizon divided by the in-sample mean absolute error of
the seasonal-naive forecast (the same weekday one week earlier) up to the origin, averaged over every
(series, origin). Beside it, the error relative to the seasonal-naive forecast made at the origin (last
week repeated), and the share of actual values inside the 80 % interval.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from anomaly_series import labelled_set

from earmark.ai.forecasts import forecast

HORIZON = 28
ORIGINS = (200, 245, 290, 335)


@dataclass
class Backtest:
    mase: float
    relative_mae: float
    coverage: float
    forecasts: int


def backtest(count: int = 24, seed: int = 7) -> Backtest:
    scaled, relative, inside, total = [], [], 0, 0
    for item in labelled_set(count, seed, anomalies=False):
        values = item.series.values
        for origin in ORIGINS:
            history = values[: origin + 1]
            actual = values[origin + 1: origin + 1 + HORIZON]
            found = forecast(item.series, HORIZON, item.series.start + timedelta(days=origin))
            predicted = np.array([p.predicted for p in found.points])
            lower = np.array([p.lower for p in found.points])
            upper = np.array([p.upper for p in found.points])
            naive = np.array([history[origin - 6 + (h % 7)] for h in range(HORIZON)])
            ok = np.isfinite(actual) & np.isfinite(naive)
            scale = np.nanmean(np.abs(history[7:] - history[:-7]))
            if not ok.any() or not scale:
                continue
            error = np.mean(np.abs(predicted[ok] - actual[ok]))
            scaled.append(error / scale)
            naive_error = np.mean(np.abs(naive[ok] - actual[ok]))
            if naive_error:
                relative.append(error / naive_error)
            inside += int(((actual[ok] >= lower[ok]) & (actual[ok] <= upper[ok])).sum())
            total += int(ok.sum())
    return Backtest(float(np.mean(scaled)), float(np.mean(relative)), inside / total, len(scaled))
