delete from downloads.rejected_requests
where tenant_id = %(tenant_id)s and batch_id = any(%(batch_ids)s::uuid[])
