update app.privacy_requests
set phase = %(phase)s,
    affected_dates = coalesce(%(affected_dates)s::date[], affected_dates),
    evidence = evidence || %(evidence)s::jsonb,
    error = %(error)s,
    completed_at = case when %(phase)s = 'completed' then now() end,
    -- identifiers are needed no longer: only their pseudonym stays
    subject_sealed = case when %(phase)s = 'completed' then null else subject_sealed end,
    export_sealed = coalesce(%(export_sealed)s, export_sealed),
    exported_at = case when %(export_sealed)s::bytea is not null then now() else exported_at end
where tenant_id = %(tenant_id)s and id = %(id)s
