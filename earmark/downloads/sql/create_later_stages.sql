-- A tenant's later loads: its requests and addresses land here (the columns a load COPYs), then go through
-- the parents' policies (insert_requests.sql, insert_addresses.sql).
create temporary table requests_stage (
    request_id text collate "C" not null, ts timestamptz not null, method text not null, address_id bigint not null,
    ip_key bigint not null, ua_id bigint not null, url_id bigint not null, referer_id bigint not null,
    range_kind smallint not null, range_a bigint, range_b bigint, status smallint not null, bytes_sent bigint not null
) on commit drop;
create temporary table addresses_stage (
    address_id bigint not null, ip_key bigint not null, sealed bytea not null, list_version integer not null,
    in_datacenter boolean not null
) on commit drop
