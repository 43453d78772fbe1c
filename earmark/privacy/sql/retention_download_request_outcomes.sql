delete from downloads.request_outcomes
where tenant_id = %(tenant_id)s and day < %(cutoff)s
