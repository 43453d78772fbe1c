delete from downloads.ad_deliveries
where tenant_id = %(tenant_id)s and day < %(cutoff)s
