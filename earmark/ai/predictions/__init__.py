"""What a campaign's placements will deliver for a planned spend: a saturating response curve per show and
slot, pooled within the tenant where history is short (earmark.ai.predictions.response)."""

from earmark.ai.predictions.campaigns import (
    CampaignPrediction,
    PlacementPrediction,
    PlacementWeek,
    PlannedSpend,
    predict_campaign,
)

__all__ = ["CampaignPrediction", "PlacementPrediction", "PlacementWeek", "PlannedSpend", "predict_campaign"]
