"""Privacy domain (issue 16): data-subject requests (a sensor starts `privacy_requests_job`), the daily
export of the audit-chain heads, and raw-data retention, nightly in `retention_job`."""

from pipelines.defs.privacy.audit_heads import audit_heads_export, audit_heads_job, audit_heads_schedule
from pipelines.defs.privacy.requests import privacy_requests_job, privacy_requests_sensor
from pipelines.defs.privacy.retention import RetentionConfig, raw_retention, retention_job, retention_schedule

__all__ = ["RetentionConfig", "audit_heads_export", "audit_heads_job", "audit_heads_schedule",
           "privacy_requests_job", "privacy_requests_sensor", "raw_retention", "retention_job",
           "retention_schedule"]
