-- Shows and advertisers a survey answer may name, and the campaigns running on each show (placements).
select 'show' as kind, show_id as id, title as name, '{}'::text[] as aliases from catalog.shows
where tenant_id = %(tenant_id)s
union all
select 'advertiser', advertiser_id, name, aliases from catalog.advertisers where tenant_id = %(tenant_id)s
