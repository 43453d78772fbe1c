-- Every chain's head (the owner reads across tenants for the daily export).
select tenant_id::text, seq, hash from app.audit_heads order by tenant_id
