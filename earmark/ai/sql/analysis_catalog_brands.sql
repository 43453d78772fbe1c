-- The brands an ad may name: the tenant's advertisers (partner podcasts and own shows among them), and its
-- shows by title (an ad for one of them is the show's own or a sister show's promotion).
select advertiser_id, name, aliases, domains, kind from catalog.advertisers where tenant_id = %(tenant_id)s
union all
select null, title, '{}'::text[], '{}'::text[], 'show' from catalog.shows where tenant_id = %(tenant_id)s
