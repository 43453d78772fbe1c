insert into ai.forecasts (tenant_id, as_of, scope, entity_id, metric, day, predicted, lower, upper)
select %(tenant_id)s, %(as_of)s, rows.*
from jsonb_to_recordset(%(rows)s::jsonb) as rows (
    scope text, entity_id text, metric text, day date, predicted float8, lower float8, upper float8)
