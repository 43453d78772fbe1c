-- Default attribution settings for a new tenant (the column defaults are the documented defaults).
insert into app.tenant_settings (tenant_id) values (%(tenant_id)s)
