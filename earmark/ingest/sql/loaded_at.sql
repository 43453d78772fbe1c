-- The loaded_at stamp of this load's rows: the clock once the ingest barrier is held (see service.py).
select clock_timestamp()
