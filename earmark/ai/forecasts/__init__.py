"""Forecasts of a daily series from the model of its expected value (earmark.ai.series.model)."""

from earmark.ai.forecasts.forecast import Forecast, ForecastPoint, forecast

__all__ = ["Forecast", "ForecastPoint", "forecast"]
