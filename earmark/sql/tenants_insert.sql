insert into app.tenants (name, tier) values (%(name)s, %(tier)s)
returning id, name, tier, status, created_at
