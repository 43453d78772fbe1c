-- A concurrent run that answered the same text first keeps its row: either answer is as good.
insert into app.ai_cache (tenant_id, cache_key, task, prompt_version, provider, model, answer)
values (%(tenant_id)s, %(cache_key)s, %(task)s, %(prompt_version)s, %(provider)s, %(model)s, %(answer)s)
on conflict (tenant_id, cache_key) do nothing
