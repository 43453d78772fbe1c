"""Insights on a tenant's daily metrics (issue 15): the series Earmark reads from the daily-metrics mart and
the tenant's imports, and the nightly outputs made of them (anomalies, forecasts, campaign predictions,
recommendations), stored beside the model that made each one. The numerics live in earmark.ai.series,
earmark.ai.anomalies, earmark.ai.forecasts, earmark.ai.predictions and earmark.ai.recommendations; this
package reads their inputs from Postgres and writes their outputs back."""
