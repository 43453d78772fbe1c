"""The API under test: a real app (lifespan, pool, API role) over the session's embedded Postgres; the
key and client factories live in tests/conftest.py (the catalog's tests call the API too)."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from earmark import db, tenancy


@dataclass(frozen=True)
class AttributionTenants:
    """Two tenants with the same user (and event) ids and different journeys, marts built by dbt."""

    a: tenancy.Tenant
    b: tenancy.Tenant
    conversions_a: int
    conversions_b: int
    revenue_a: float
    revenue_b: float


@pytest.fixture(scope="session")
def attribution_tenants(database) -> AttributionTenants:
    from earmark.attribution import dbt_env, synthetic

    made = []
    with db.connect("owner") as conn:
        for label in ("a", "b"):
            made.append(tenancy.create_tenant(conn, f"api-attr-{label}-{os.getpid()}", "enterprise"))
    stats = []
    for tenant, seed, journeys in ((made[0], 101, 300), (made[1], 202, 500)):
        frame = synthetic.generate_journeys(journeys, seed=seed)
        conversions = frame.filter(frame["event_type"] == "conversion")
        stats.append((conversions.height, float(conversions["revenue"].sum())))
        with db.connect("transformer") as conn:
            synthetic.copy_events(conn, tenant.id, frame)
            conn.commit()
    done = dbt_env.run_dbt("build", "--exclude", "resource_type:test", "resource_type:unit_test")
    assert done.returncode == 0, done.stdout[-3000:]
    return AttributionTenants(made[0], made[1], stats[0][0], stats[1][0], stats[0][1], stats[1][1])


@pytest.fixture
def schema_caller(make_key, make_tenant):
    """A tenant key with every tenant scope, for schemathesis."""
    return make_key(make_tenant(), ["attribution:read", "settings:write", "keys:admin"])
