-- A later load of a tenant: through the parent (and its policies), sorted by the primary key.
insert into downloads.requests
select * from requests_stage order by tenant_id, request_id
