-- A changed value replaces the stored one; an equal one is a duplicate and returns no row.
insert into ai.imported_metrics as stored (tenant_id, show_id, metric, day, value)
select %(tenant_id)s::uuid, rows.show_id, rows.metric, rows.day, rows.value
from jsonb_to_recordset(%(rows)s::jsonb) as rows (show_id text, metric text, day date, value float8)
on conflict (tenant_id, show_id, metric, day) do update
    set value = excluded.value, loaded_at = now()
    where stored.value is distinct from excluded.value
returning (xmax = 0) as inserted
