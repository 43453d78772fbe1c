copy strings_stage (string_id, value) from stdin (format csv)
