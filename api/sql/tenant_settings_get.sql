select lookback_days, time_decay_half_life_days, position_first_weight, position_last_weight, currency,
    time_zone, reporting_model, download_window, country, require_mfa, raw_retention_months, updated_at
from app.tenant_settings
where tenant_id = %(tenant_id)s
