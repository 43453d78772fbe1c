-- Tenants with requests in the window (from their batches' day ranges: no scan of the requests).
select distinct tenant_id from downloads.batches
where status = 'succeeded' and loaded > 0 and first_day <= %(last)s and last_day >= %(first)s
order by tenant_id
