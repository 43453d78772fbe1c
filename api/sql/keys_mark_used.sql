-- Batched last_used_at; never moves backwards when workers flush out of order.
update app.api_keys
set last_used_at = greatest(coalesce(last_used_at, '-infinity'::timestamptz), %(used_at)s)
where tenant_id = %(tenant_id)s and id = any(%(ids)s)
