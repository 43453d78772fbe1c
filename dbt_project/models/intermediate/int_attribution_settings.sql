{{ config(indexes=[{"columns": ["tenant_id"], "unique": true}]) }}
-- Each tenant's attribution settings as this run reads them, once. The scopes, the credits and the run
-- log all take them from here: each model runs in its own transaction, so reading the live table in each
-- let a settings change that committed mid-run reach the run log but not the credits, and the next run
-- then saw nothing to recompute. Now a change is used by all of them or by none (and then the next run
-- sees it differ from what the run log recorded, and recomputes the tenant).
select * from {{ ref('stg_app__tenant_settings') }}
