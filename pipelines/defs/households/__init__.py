"""Households domain (issue 17): household matching, listener signals and lift, nightly in attribution_job."""

from pipelines.defs.households.assets import campaign_lift, household_matches

__all__ = ["campaign_lift", "household_matches"]
