select app.audit_append_platform(%(key_id)s, %(key_hash)s, %(actor)s, %(action)s, %(target)s, %(request_id)s,
                                 %(changes)s)
