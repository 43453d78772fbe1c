-- A null leaves the setting as it is; the table's checks repeat the API's validation.
update app.tenant_settings
set lookback_days = coalesce(%(lookback_days)s, lookback_days),
    time_decay_half_life_days = coalesce(%(time_decay_half_life_days)s, time_decay_half_life_days),
    position_first_weight = coalesce(%(position_first_weight)s, position_first_weight),
    position_last_weight = coalesce(%(position_last_weight)s, position_last_weight),
    reporting_model = coalesce(%(reporting_model)s, reporting_model),
    download_window = coalesce(%(download_window)s, download_window),
    country = coalesce(%(country)s, country),
    require_mfa = coalesce(%(require_mfa)s, require_mfa),
    raw_retention_months = coalesce(%(raw_retention_months)s, raw_retention_months),
    updated_at = now()
where tenant_id = %(tenant_id)s
returning lookback_days, time_decay_half_life_days, position_first_weight, position_last_weight, currency,
    time_zone, reporting_model, download_window, country, require_mfa, raw_retention_months, updated_at
