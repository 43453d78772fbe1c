-- Distinct user agents per household and UTC day in the request logs (shared-household detection).
select distinct d.ip_key as household_key, d.day, s.value as user_agent
from downloads.downloads d
join downloads.strings s on s.tenant_id = d.tenant_id and s.string_id = d.ua_id
where d.tenant_id = %(tenant_id)s and d.mode = %(mode)s and d.ip_key = any(%(keys)s)
