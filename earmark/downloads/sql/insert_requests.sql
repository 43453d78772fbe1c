-- A later load of a tenant: the requests it does not hold yet (request_id is the idempotency key; the
-- tenant's load lock keeps another load from adding one meanwhile), sorted by the primary key.
insert into downloads.requests (tenant_id, request_id, ts, method, address_id, ip_key, ua_id, url_id, referer_id,
                                range_kind, range_a, range_b, status, bytes_sent, batch_id)
select %(tenant_id)s, stage.request_id, stage.ts, stage.method, stage.address_id, stage.ip_key, stage.ua_id,
    stage.url_id, stage.referer_id, stage.range_kind, stage.range_a, stage.range_b, stage.status, stage.bytes_sent,
    %(batch_id)s
from requests_stage as stage
where not exists (select from downloads.requests as loaded
                  where loaded.tenant_id = %(tenant_id)s and loaded.request_id = stage.request_id)
order by stage.request_id
