-- Addresses whose data-centre membership was decided under another list version.
select address_id, sealed from downloads.addresses where tenant_id = %(tenant_id)s and list_version <> %(version)s
