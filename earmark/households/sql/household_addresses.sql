-- The sealed addresses behind the IP keys that delivered ads reached (for the carrier list).
select ip_key, address_id, sealed from downloads.addresses
where tenant_id = %(tenant_id)s and ip_key = any(%(keys)s)
