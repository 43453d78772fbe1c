copy incoming_request_ids (request_id) from stdin (format csv)
