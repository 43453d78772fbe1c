-- Sorting a day's rows and building a partition's indexes in memory rather than on disk.
set local work_mem = '512MB';
set local maintenance_work_mem = '1GB'
