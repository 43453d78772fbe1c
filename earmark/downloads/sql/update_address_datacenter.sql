-- An address decided again under the active list (counted.py: the verdict only, never the address).
update downloads.addresses set in_datacenter = %s, list_version = %s
where tenant_id = %s and address_id = %s
