import pytest

from earmark import db, tenancy


def test_new_tenant_gets_default_settings(make_tenant):
    tenant = make_tenant()
    with db.connect("owner") as conn:
        settings = tenancy.get_settings(conn, tenant.id)
    assert (tenant.tier, tenant.status) == ("standard", "active")
    assert (settings.lookback_days, settings.time_decay_half_life_days) == (30, 7.0)
    assert (settings.position_first_weight, settings.position_last_weight) == (0.4, 0.4)
    assert (settings.currency, settings.time_zone) == ("USD", "UTC")


def test_tier_limits_fit_their_tenants():
    limits = tenancy.tier_limits()
    assert set(limits) == {"free", "standard", "enterprise"}
    assert limits["free"].api_requests_per_minute <= 600
    assert limits["standard"].events_per_month >= 10_000_000
    assert limits["enterprise"].events_per_month >= limits["standard"].events_per_month


@pytest.mark.parametrize(
    ("name", "tier", "message"),
    [
        ("  ", "standard", "A tenant needs a non-empty --name."),
        ("x", "gold", "Unknown tier 'gold'; choose one of free, standard, enterprise."),
    ],
)
def test_bad_tenant_requests_say_what_to_do(database, name, tier, message):
    with db.connect("owner") as conn, pytest.raises(tenancy.TenantError) as caught:
        tenancy.create_tenant(conn, name, tier)
    assert str(caught.value) == message


def test_duplicate_name_is_refused(make_tenant):
    tenant = make_tenant()
    with db.connect("owner") as conn, pytest.raises(tenancy.TenantError, match="already exists"):
        tenancy.create_tenant(conn, tenant.name)


def test_settings_constraints_hold_in_the_database(make_tenant):
    import psycopg

    tenant = make_tenant()
    with db.connect("owner") as conn, pytest.raises(psycopg.errors.CheckViolation):
        conn.execute("update app.tenant_settings set position_first_weight = 0.7, "
                     "position_last_weight = 0.5 where tenant_id = %s", [tenant.id])
