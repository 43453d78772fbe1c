-- Which attribution marts exist (none before dbt's first run).
select name from unnest(%(names)s::text[]) as name
where to_regclass(format('%%I.%%I', %(schema)s::text, name)) is not null
