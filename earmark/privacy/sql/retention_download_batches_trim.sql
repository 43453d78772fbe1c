-- A request log that spans the cutoff keeps its batch, but its days before the cutoff hold no requests any
-- more: the batch covers the cutoff on, so those days never look uncounted to the recount sensor.
update downloads.batches set first_day = %(cutoff)s
where tenant_id = %(tenant_id)s and first_day < %(cutoff)s and last_day >= %(cutoff)s
