-- A known address keeps its row (the same address seals to another nonce, but opens to the same text).
insert into downloads.addresses (tenant_id, address_id, ip_key, sealed, list_version, in_datacenter)
select %(tenant_id)s, address_id, ip_key, sealed, list_version, in_datacenter from addresses_stage
on conflict (tenant_id, address_id) do nothing
