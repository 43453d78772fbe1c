delete from downloads.requests
where tenant_id = %(tenant_id)s and ts < %(cutoff_at)s
