insert into app.privacy_requests (tenant_id, kind, subject_key, subject_sealed, requested_by, request_id,
                                  received_at, due_at)
values (%(tenant_id)s, %(kind)s, %(subject_key)s, %(subject_sealed)s, %(requested_by)s, %(request_id)s,
        %(received_at)s, %(received_at)s::timestamptz + interval '1 month')
returning id, kind, phase, requested_by, received_at, due_at, completed_at, downloaded_at, evidence, error
