select string_id, value from downloads.strings where tenant_id = %(tenant_id)s and string_id = any(%(ids)s)
