"""Anomalies in a daily series against its expected value (earmark.ai.series.model), each explained."""

from earmark.ai.anomalies.detect import Anomaly, Detection, detect
from earmark.ai.anomalies.explain import explain

__all__ = ["Anomaly", "Detection", "detect", "explain"]
