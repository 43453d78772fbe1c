insert into app.ai_provider_keys (tenant_id, provider, sealed)
values (%(tenant_id)s, %(provider)s, %(sealed)s)
on conflict (tenant_id, provider) do update set sealed = excluded.sealed, updated_at = now()
