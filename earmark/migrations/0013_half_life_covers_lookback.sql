-- A touch at the edge of the lookback weighs 2^-(lookback / half-life) under time decay; past 2^-1000 a
-- double underflows, Postgres raises "value out of range", and the whole nightly dbt build fails for
-- every tenant. Found by schemathesis: half-life 1e-300 days was a valid setting. Existing rows that
-- break the rule are repaired to the smallest half-life that keeps it before the rule is enforced.
update app.tenant_settings
set time_decay_half_life_days = lookback_days / 1000.0, updated_at = now()
where lookback_days > 1000 * time_decay_half_life_days;

alter table app.tenant_settings
    add constraint half_life_covers_lookback check (lookback_days <= 1000 * time_decay_half_life_days);
