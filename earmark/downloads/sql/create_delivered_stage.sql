-- A window's delivered ads land here by COPY (COPY cannot write the RLS table), then go through its policies
-- (insert_delivered_ads.sql).
create temporary table delivered_ads_stage (
    tenant_id uuid not null, day date not null, mode text not null, download_id text collate "C" not null,
    ad_id text collate "C" not null
) on commit drop
