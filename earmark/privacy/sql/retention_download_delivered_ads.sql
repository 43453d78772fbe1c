delete from downloads.delivered_ads
where tenant_id = %(tenant_id)s and day < %(cutoff)s
