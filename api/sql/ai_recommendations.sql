-- Recommendations of the newest night, in the order the night numbered them.
with night as (
    select max(as_of) as as_of from ai.model_fits where task = %(task)s::text
)

select recommendations.as_of, seq, kind, target, action, effect, effect_lower, effect_upper, effect_unit,
    evidence, model
from ai.recommendations
join night on night.as_of = recommendations.as_of
where (%(kind)s::text is null or kind = %(kind)s::text)
order by seq
