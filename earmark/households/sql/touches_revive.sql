-- A touch made again is no longer suppressed.
delete from households.suppressed where tenant_id = %(tenant_id)s and origin = 'earmark' and event_id = any(%(keep)s)
