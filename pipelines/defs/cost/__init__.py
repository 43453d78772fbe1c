"""Cost domain: the measured usage ledger, the allocation marts (dbt) and budget alerts, nightly in
`cost_job`."""

from pipelines.defs.cost.assets import budget_alerts, cost_dbt_assets, cost_job, cost_schedule, cost_usage

__all__ = ["budget_alerts", "cost_dbt_assets", "cost_job", "cost_schedule", "cost_usage"]
