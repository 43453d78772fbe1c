insert into households.exposure_days (tenant_id, day, campaign_id, show_id, exposures, households, eligible, matched,
                                      excluded_datacenter, excluded_carrier, excluded_shared)
values (%(tenant_id)s, %(day)s, %(campaign_id)s, %(show_id)s, %(exposures)s, %(households)s, %(eligible)s,
        %(matched)s, %(excluded_datacenter)s, %(excluded_carrier)s, %(excluded_shared)s)
