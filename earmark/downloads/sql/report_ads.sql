-- Delivered ads (impressions) per ad and UTC date under one window mode (the one asked for, else the
-- tenant's download_window): each counted at most once per download, dated with the download (R7).
select
    a.ad_id,
    a.day as date,
    a.impressions
from downloads.ad_deliveries as a
where a.mode = coalesce(%(mode)s::text, (select download_window from app.tenant_settings), 'fixed')
  and (%(start)s::date is null or a.day >= %(start)s::date)
  and (%(end)s::date is null or a.day <= %(end)s::date)
order by a.day, a.ad_id
