"""The API under test: a real app (lifespan, pool, API role) over the session's embedded Postgres."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import ApiSettings
from earmark import db, keys, tenancy


@dataclass(frozen=True)
class Caller:
    """A tenant (or platform, tenant None) and a key for it."""

    tenant: tenancy.Tenant | None
    key_id: str
    secret: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}"}


@pytest.fixture
def make_key(database) -> Callable[..., Caller]:
    def _make(tenant: tenancy.Tenant | None, scopes: list[str] | None = None, **options) -> Caller:
        with db.connect("owner") as conn:
            key, secret = keys.create(conn, tenant_id=tenant.id if tenant else None, scopes=scopes, **options)
        return Caller(tenant, str(key.id), secret)

    return _make


@pytest.fixture
def make_client(database) -> Iterator[Callable[..., TestClient]]:
    opened: list[TestClient] = []

    def _make(**api_settings) -> TestClient:
        client = TestClient(
            create_app(api_settings=ApiSettings(**api_settings)), raise_server_exceptions=False
        )
        client.__enter__()
        opened.append(client)
        return client

    yield _make
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client) -> TestClient:
    return make_client()


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
def schema_caller(make_key, make_tenant) -> Caller:
    """A tenant key with every tenant scope, for schemathesis."""
    return make_key(make_tenant(), ["attribution:read", "settings:write", "keys:admin"])
