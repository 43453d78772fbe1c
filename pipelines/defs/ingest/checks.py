"""Checks beside the data they check: every ingested row is accounted for."""

import dagster as dg

from earmark.sqlfiles import load
from pipelines.resources import EarmarkDatabase

INGEST_BATCHES_BALANCED = "ingest_batches_balanced"


@dg.asset_check(asset="raw_events", name=INGEST_BATCHES_BALANCED,
                description="rows = loaded + duplicates + rejected for every succeeded batch, and the "
                            "quarantine holds exactly the rejected rows.")
def ingest_batches_balanced(database: EarmarkDatabase) -> dg.AssetCheckResult:
    with database.connect() as conn:
        unbalanced = conn.execute(load("pipelines.defs.ingest", "unbalanced_batches")).fetchone()[0]
    return dg.AssetCheckResult(passed=unbalanced == 0, metadata={"unbalanced_batches": unbalanced})
