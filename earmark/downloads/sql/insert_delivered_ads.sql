-- Which ads each counted download of the window delivered, per mode (counted.py): the staged rows, already
-- sorted by the primary key.
insert into downloads.delivered_ads (tenant_id, day, mode, download_id, ad_id)
select tenant_id, day, mode, download_id, ad_id from delivered_ads_stage
