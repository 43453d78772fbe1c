"""Transcripts and their AI analysis."""

from pipelines.defs.ai.assets import transcript_analysis, transcripts
from pipelines.defs.ai.sensors import (
    analysis_job,
    transcript_analysis_schedule,
    transcript_landing_sensor,
    transcripts_job,
)

__all__ = ["analysis_job", "transcript_analysis", "transcript_analysis_schedule", "transcript_landing_sensor",
           "transcripts", "transcripts_job"]
