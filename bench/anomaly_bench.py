"""Anomaly detection and forecasts on the tests' labelled synthetic set (issue 15): Earmark's detector beside
the global z-score, the rolling-origin forecast backtests, and the time per series. Prints markdown for
bench/RESULTS.md. Run: .venv/bin/python bench/anomaly_bench.py"""

from __future__ import annotations

import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "ai"))

from anomaly_scoring import evaluate, table  # noqa: E402
from anomaly_series import labelled_set  # noqa: E402
from forecast_backtest import HORIZON, ORIGINS, backtest  # noqa: E402

from earmark.ai.anomalies import detect  # noqa: E402
from earmark.ai.forecasts import forecast  # noqa: E402


def main() -> None:
    series = labelled_set(48)
    labels = sum(len(s.anomalies) for s in series)
    normal = sum(len(s.normal_unusual) for s in series)
    print(f"machine: {platform.machine()}, {platform.python_version()}, {len(series)} series x 365 days, "
          f"{labels} labelled anomalous days, {normal} labelled normal-but-unusual days\n")
    print(table(evaluate(series)))
    started = time.perf_counter()
    for item in series:
        detect(item.series)
    per_detect = (time.perf_counter() - started) / len(series)
    started = time.perf_counter()
    for item in series:
        forecast(item.series, HORIZON)
    per_forecast = (time.perf_counter() - started) / len(series)
    held_out = labelled_set(48, seed=4242)
    print("\nthe same generator, a seed never looked at while building (4242):\n")
    print(table(evaluate(held_out)))
    result = backtest()
    print(f"\nforecast backtests: {result.forecasts} forecasts ({len(ORIGINS)} origins x {HORIZON} days), "
          f"MASE {result.mase:.3f}, MAE relative to seasonal naive {result.relative_mae:.3f}, "
          f"80 % interval coverage {result.coverage:.3f}")
    print(f"time per 365-day series: detect {per_detect * 1000:.0f} ms, "
          f"forecast {per_forecast * 1000:.0f} ms")


if __name__ == "__main__":
    main()
