-- The window mode a report is in (the one asked for, else the tenant's download_window) and when the days
-- asked were last counted (null when none of them was).
select
    coalesce(%(mode)s::text, (select download_window from app.tenant_settings), 'fixed') as mode,
    (select max(counted_at) from downloads.counted_days
     where (%(start)s::date is null or day >= %(start)s::date)
       and (%(end)s::date is null or day <= %(end)s::date)) as counted_at
