{{ config(indexes=[{"columns": ["tenant_id"], "unique": true}]) }}
-- Each tenant's attribution settings as this run reads them, once. The scopes, the credits and the run
-- log all take them from here: each model runs in its own transaction, so reading the live table in each
-- let a settings change that committed mid-run reach the run log but not the credits, and the next run
-- then saw nothing to recompute. Now a change is used by all of them or by none (and then the next run
-- sees it differ from what the run log recorded, and recomputes the tenant).
-- The catalog revision travels with the settings for the same reason: the touches' shows and placements are
-- resolved against the catalog, and a revision other than the one the last run recorded recomputes the tenant.
select
    settings.*,
    coalesce(revisions.catalog_revision, 0) as catalog_revision
from {{ ref('stg_app__tenant_settings') }} as settings
left join {{ ref('stg_catalog__revisions') }} as revisions on revisions.tenant_id = settings.tenant_id
