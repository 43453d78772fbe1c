"""Transcripts and their AI analysis; insights on the daily metrics (anomalies, forecasts, predictions,
recommendations)."""

from pipelines.defs.ai.assets import transcript_analysis, transcripts
from pipelines.defs.ai.insights import (
    campaign_predictions,
    insights_job,
    insights_schedule,
    metric_anomalies,
    metric_forecasts,
    recommendations,
)
from pipelines.defs.ai.sensors import (
    analysis_job,
    transcript_analysis_schedule,
    transcript_landing_sensor,
    transcripts_job,
)

__all__ = ["analysis_job", "campaign_predictions", "insights_job", "insights_schedule", "metric_anomalies",
           "metric_forecasts", "recommendations", "transcript_analysis", "transcript_analysis_schedule",
           "transcript_landing_sensor", "transcripts", "transcripts_job"]
