copy addresses_stage (address_id, ip_key, in_datacenter, sealed) from stdin (format csv)
