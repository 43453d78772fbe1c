insert into ai.anomalies (tenant_id, as_of, scope, entity_id, metric, day, actual, expected, lower, upper, score,
                          kind, explanation, dimension, dimension_value, dimension_share)
select %(tenant_id)s, %(as_of)s, rows.*
from jsonb_to_recordset(%(rows)s::jsonb) as rows (
    scope text, entity_id text, metric text, day date, actual float8, expected float8, lower float8,
    upper float8, score float8, kind text, explanation text, dimension text, dimension_value text,
    dimension_share float8)
