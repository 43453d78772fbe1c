"""Checks beside the data they check: every ingested row is accounted for."""

import dagster as dg

from pipelines.resources import EarmarkDatabase

INGEST_BATCHES_BALANCED = "ingest_batches_balanced"


@dg.asset_check(asset="raw_events", name=INGEST_BATCHES_BALANCED,
                description="rows = loaded + duplicates + rejected for every succeeded batch, and the "
                            "quarantine holds exactly the rejected rows.")
def ingest_batches_balanced(database: EarmarkDatabase) -> dg.AssetCheckResult:
    with database.connect() as conn:
        unbalanced = conn.execute(
            """
            select count(*) from raw.ingest_batches b
            where b.status = 'succeeded'
              and (b.rows <> b.loaded + b.duplicates + b.rejected
                   or b.rejected <> (select count(*) from raw.rejected_events r
                                     where r.tenant_id = b.tenant_id and r.batch_id = b.batch_id))
            """
        ).fetchone()[0]
    return dg.AssetCheckResult(passed=unbalanced == 0, metadata={"unbalanced_batches": unbalanced})
