-- A day's delivered-ad impressions per ad and window mode (counted.py; RLS refuses COPY FROM here).
insert into downloads.ad_deliveries (tenant_id, day, mode, ad_id, impressions) values (%s, %s, %s, %s, %s)
