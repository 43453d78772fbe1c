select tenant_id, download_id, ad_id, user_id, exposed_at, (exposed_at at time zone 'UTC')::date as exposed_on,
       household_key, campaign_id, show_id, first_visit_at
from {{ source('households', 'matches') }}
