-- A token of the tenant by its hash, with what decides whether it is live: its grant, its expiry, and
-- whether its user (if any) and tenant are still active.
select t.tenant_id, t.id, t.grant_id, t.kind, g.client, c.client_id, g.user_id, t.scopes, t.audience,
       t.created_at, t.expires_at, t.rotated_at, t.revoked_at, g.revoked_at as grant_revoked_at,
       t.expires_at <= now() as expired,
       (g.user_id is null or u.status = 'active') and ten.status = 'active' as holder_active
from app.oauth_tokens t
join app.oauth_grants g on g.tenant_id = t.tenant_id and g.id = t.grant_id
join app.oauth_clients c on c.tenant_id = g.tenant_id and c.id = g.client
join app.tenants ten on ten.id = t.tenant_id
left join app.users u on u.tenant_id = g.tenant_id and u.id = g.user_id
where t.tenant_id = %(tenant_id)s and t.token_hash = %(token_hash)s
