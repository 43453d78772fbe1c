insert into app.security_events (tenant_id, actor, action, request_id, details)
values (%(tenant_id)s, %(actor)s, %(action)s, %(request_id)s, %(details)s)
