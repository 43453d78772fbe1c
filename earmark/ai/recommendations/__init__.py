"""What to change, each with its expected effect and interval, evidence and the model it assumes."""

from earmark.ai.recommendations.ad_reads import ad_read_fixes
from earmark.ai.recommendations.anomalies import anomaly_actions
from earmark.ai.recommendations.budget import budget_shifts
from earmark.ai.recommendations.types import Recommendation

__all__ = ["Recommendation", "ad_read_fixes", "anomaly_actions", "budget_shifts"]
