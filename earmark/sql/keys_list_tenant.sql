-- Under RLS on the API role this lists only the transaction's tenant; the owner filters explicitly.
select id, tenant_id, name, mode, prefix, scopes, created_at, expires_at, revoked_at, last_used_at
from app.api_keys
where tenant_id = %(tenant_id)s
order by created_at desc, id
