delete from downloads.counted_days
where tenant_id = %(tenant_id)s and day < %(cutoff)s
