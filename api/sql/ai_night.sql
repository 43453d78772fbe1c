-- The newest night the insights job ran for the tenant (it writes a model fit for every task each night,
-- also a night that found nothing).
select max(as_of) as as_of from ai.model_fits where task = %(task)s::text
