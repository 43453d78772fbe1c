select ad_id, episode_id, kind, start_byte, end_byte from catalog.ad_slots where tenant_id = %(tenant_id)s
