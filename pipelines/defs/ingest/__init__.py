"""Ingestion domain: canonical event files from landing folders into raw.events."""

from pipelines.defs.ingest.assets import IngestConfig, raw_events
from pipelines.defs.ingest.checks import ingest_batches_balanced
from pipelines.defs.ingest.sensors import ingest_job, landing_sensor

__all__ = ["IngestConfig", "ingest_batches_balanced", "ingest_job", "landing_sensor", "raw_events"]
