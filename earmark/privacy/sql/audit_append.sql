select app.audit_append(%(tenant_id)s, %(actor)s, %(action)s, %(target)s, %(request_id)s, %(changes)s)
