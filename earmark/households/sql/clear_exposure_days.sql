delete from households.exposure_days where tenant_id = %(tenant_id)s
