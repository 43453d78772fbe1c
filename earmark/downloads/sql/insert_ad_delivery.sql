-- A window's delivered-ad impressions per tenant, day, mode and ad (counted.py), as arrays in one statement:
-- RLS refuses COPY FROM here, and one row per execute cost seconds per 100 k rows.
insert into downloads.ad_deliveries (tenant_id, day, mode, ad_id, impressions)
select * from unnest(%(tenant_id)s::uuid[], %(day)s::date[], %(mode)s::text[], %(ad_id)s::text[],
                     %(impressions)s::bigint[])
