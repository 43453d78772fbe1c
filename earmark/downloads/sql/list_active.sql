select version, bots_sha256, cidrs_sha256, bots_source, cidrs_source, loaded_at
from downloads.list_versions
where active
