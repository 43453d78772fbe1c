-- Request logs past retention: finished before the cutoff, or holding only days before it. A log goes with
-- its quarantine (the every_request_accounted check holds for the logs that stay), and a log whose days
-- remain would make those days look stale to the recount sensor once their counts are gone.
select batch_id from downloads.batches
where tenant_id = %(tenant_id)s and (finished_at < %(cutoff_at)s or last_day < %(cutoff)s)
