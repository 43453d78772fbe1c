delete from downloads.downloads
where tenant_id = %(tenant_id)s and day < %(cutoff)s
