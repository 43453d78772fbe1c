-- Active owners of the tenant other than this user: a tenant never loses its last owner.
select count(*) from app.users
where tenant_id = %(tenant_id)s and role = 'owner' and status = 'active' and id <> %(id)s
