insert into downloads.batches (tenant_id, batch_id, source_file, file_sha256, rows, loaded, duplicates, rejected,
                               first_day, last_day, status, error, started_at)
values (%(tenant_id)s, %(batch_id)s, %(source_file)s, %(file_sha256)s, %(rows)s, %(loaded)s, %(duplicates)s,
        %(rejected)s, %(first_day)s, %(last_day)s, %(status)s, %(error)s, %(started_at)s)
