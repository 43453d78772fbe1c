"""Ingestion of canonical event files: read, validate with polars, bulk-load with COPY.

Every row is accounted for: rows = loaded + duplicates + rejected, in one transaction per file.
"""

from earmark.ingest.errors import IngestFileError
from earmark.ingest.service import IngestResult, ingest_file

__all__ = ["IngestFileError", "IngestResult", "ingest_file"]
