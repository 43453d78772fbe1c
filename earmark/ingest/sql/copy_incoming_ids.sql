copy incoming_ids (event_id) from stdin (format csv)
