-- The previous active version steps down in the same statement's transaction (list_deactivate.sql first).
insert into downloads.list_versions (bots_sha256, cidrs_sha256, bots_source, cidrs_source, active)
values (%(bots_sha256)s, %(cidrs_sha256)s, %(bots_source)s, %(cidrs_source)s, true)
returning version
