-- What a day was counted under: stale_days.sql compares these with the active list, threshold and catalog.
insert into downloads.counted_days (tenant_id, day, list_version, spike_threshold, catalog_revision, requests)
values (%s, %s, %s, %s, %s, %s)
