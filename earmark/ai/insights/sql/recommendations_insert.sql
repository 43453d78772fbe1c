insert into ai.recommendations (tenant_id, as_of, seq, kind, target, action, effect, effect_lower, effect_upper,
    effect_unit, evidence, model)
select %(tenant_id)s, %(as_of)s, rows.*
from jsonb_to_recordset(%(rows)s::jsonb) as rows (
    seq integer, kind text, target text, action text, effect float8, effect_lower float8, effect_upper float8,
    effect_unit text, evidence jsonb, model jsonb)
