"""Daily series and the one model of their expected value that anomaly detection (earmark.ai.anomalies) and
forecasts (earmark.ai.forecasts) share: weekday, release days and the decay after them, holidays and
promotion or billing days, and a level that follows trend and lasting shifts (earmark.ai.series.model)."""

from earmark.ai.series.types import DailySeries

__all__ = ["DailySeries"]
