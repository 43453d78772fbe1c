"""Downloads domain: request logs per tenant, and the daily IAB counting of downloads and delivered ads."""

from pipelines.defs.downloads.assets import (
    DownloadRequestsConfig,
    download_counts,
    download_requests,
    every_request_accounted,
)
from pipelines.defs.downloads.sensors import (
    download_counts_job,
    download_landing_sensor,
    download_recount_sensor,
    download_requests_job,
)

__all__ = ["DownloadRequestsConfig", "download_counts", "download_counts_job", "download_landing_sensor",
           "download_recount_sensor", "download_requests", "download_requests_job", "every_request_accounted"]
