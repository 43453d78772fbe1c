-- The anti-join sorts the whole file by event_id; in memory that is a third faster than on disk.
set local work_mem = '1GB'
