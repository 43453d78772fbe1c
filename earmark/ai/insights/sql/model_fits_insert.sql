insert into ai.model_fits (tenant_id, task, as_of, scope, entity_id, metric, model, inputs, run_id)
select %(tenant_id)s, %(task)s, %(as_of)s, rows.scope, rows.entity_id, rows.metric, rows.model, rows.inputs,
    %(run_id)s
from jsonb_to_recordset(%(rows)s::jsonb) as rows (scope text, entity_id text, metric text, model jsonb,
                                                 inputs jsonb)
