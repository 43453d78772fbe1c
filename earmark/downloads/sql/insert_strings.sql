insert into downloads.strings (tenant_id, string_id, value)
select %(tenant_id)s, string_id, value from strings_stage
on conflict (tenant_id, string_id) do nothing
