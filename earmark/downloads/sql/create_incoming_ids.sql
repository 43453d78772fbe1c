create temporary table incoming_request_ids (request_id text collate "C" not null) on commit drop
