insert into app.ai_calls (tenant_id, analysis_id, task, prompt_version, provider, model, outcome,
                          http_status, error, tokens_in, tokens_out, cache_read_tokens, cache_write_tokens,
                          latency_ms, cost_usd, cache_key, key_source)
values (%(tenant_id)s, %(analysis_id)s, %(task)s, %(prompt_version)s, %(provider)s, %(model)s, %(outcome)s,
        %(http_status)s, %(error)s, %(tokens_in)s, %(tokens_out)s, %(cache_read_tokens)s,
        %(cache_write_tokens)s, %(latency_ms)s, %(cost_usd)s, %(cache_key)s, %(key_source)s)
