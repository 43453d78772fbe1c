insert into downloads.rejected_requests (tenant_id, batch_id, row_number, reason, record)
select %(tenant_id)s, %(batch_id)s, row_number, reason, record from rejected_stage
