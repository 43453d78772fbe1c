-- The first statement of every tenant transaction: transaction-local, so it never outlives it.
select set_config('app.tenant_id', %(tenant_id)s, true)
