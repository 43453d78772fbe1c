-- The columns: the file's loaded columns (service._load_events), the pixel ones only when the file has them.
copy events_stage ({columns}) from stdin (format csv)
