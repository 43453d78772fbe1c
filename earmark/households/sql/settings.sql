select lookback_days, match_window_days, shared_household_agents, download_window
from app.tenant_settings where tenant_id = %(tenant_id)s
