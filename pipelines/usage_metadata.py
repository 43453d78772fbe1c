"""What an asset reports so the cost ledger can split its step between the tenants it served.

Any domain's asset that processes rows of several tenants in one step adds this to its materialization
metadata; pipelines/defs/cost reads it back from Dagster's event log (earmark.cost.steps states the rule).
"""

import dagster as dg

from earmark.cost.steps import ROWS_BY_TENANT


def rows_by_tenant(counts: dict) -> dict[str, dg.MetadataValue]:
    """The metadata an asset reports so the ledger can split its step between the tenants it served."""
    return {ROWS_BY_TENANT: dg.MetadataValue.json({str(k): int(v) for k, v in counts.items() if v})}
