"""A recommendation as every kind states it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Recommendation:
    kind: str  # budget_shift | ad_read_fix | anomaly_action
    target: str
    action: str
    effect: float
    effect_lower: float
    effect_upper: float  # 80 % interval
    effect_unit: str
    evidence: dict
    model: dict
