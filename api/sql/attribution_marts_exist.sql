-- Every mart the attribution routes read exists (a new install has none before its first run).
select bool_and(to_regclass(name) is not null) as ready
from unnest(array['analytics.fct_attribution_runs', 'analytics.fct_daily_channel_credits',
                  'analytics.fct_model_comparison', 'analytics.fct_conversion_paths',
                  'analytics.fct_touch_credits', 'analytics.fct_daily_show_credits',
                  'analytics.fct_daily_economics']) as name
