"""One throwaway embedded Postgres for the whole session, migrated once; tenants are per test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# Before anything reads settings: a private home, the embedded server, the test environment.
_HOME = Path(tempfile.mkdtemp(prefix="earmark-test-"))
os.environ["EARMARK_HOME"] = str(_HOME)
os.environ["EARMARK_ENV"] = "test"
# Outside development the default secret is refused; every test process (and CLI it starts) shares this.
os.environ["EARMARK_SECRET_KEY"] = uuid.uuid4().hex + uuid.uuid4().hex
# The issuer the OAuth tests see (TestClient speaks to https://testserver).
os.environ["EARMARK_ISSUER"] = "https://testserver"
os.environ.pop("DATABASE_URL", None)
os.environ["DAGSTER_HOME"] = str(_HOME / "dagster")

import psycopg  # noqa: E402
import pytest  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from hypothesis import HealthCheck  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402

from api.main import create_app  # noqa: E402
from api.settings import ApiSettings  # noqa: E402
from earmark import db, keys, server, tenancy  # noqa: E402
from earmark.migrate import migrate  # noqa: E402
from earmark.settings import get_settings  # noqa: E402

# Property tests check what holds, not how fast examples are drawn: on a shared 2-core machine (CI, a second
# suite beside this one) Hypothesis' timing health check and per-example deadline fail for load alone.
hypothesis_settings.register_profile("earmark", suppress_health_check=[HealthCheck.too_slow], deadline=None)
hypothesis_settings.load_profile("earmark")


@pytest.fixture(scope="session", autouse=True)
def database():
    settings = get_settings()
    migrate(settings)
    yield settings
    server.stop(settings)
    shutil.rmtree(_HOME, ignore_errors=True)


@pytest.fixture
def owner_conn(database):
    with db.connect("owner") as conn:
        yield conn


@pytest.fixture
def make_tenant(database):
    """Create a fresh tenant (unique name) so tests never see each other's rows."""

    def _make(tier: str = "standard", name: str | None = None) -> tenancy.Tenant:
        with db.connect("owner") as conn:
            return tenancy.create_tenant(conn, name or f"tenant-{uuid.uuid4().hex[:10]}", tier)

    return _make


@pytest.fixture
def api_conn(database):
    with psycopg.connect(db.url("api")) as conn:
        yield conn


@pytest.fixture(scope="session")
def private_home():
    """An install of a test's own, as a new user makes one: its EARMARK_HOME and embedded Postgres,
    migrated by `earmark migrate`; stopped and removed afterwards, passed or failed. Yields (env, home)."""
    earmark = str(Path(sys.executable).with_name("earmark"))

    @contextmanager
    def _home(prefix: str):
        home = Path(tempfile.mkdtemp(prefix=f"earmark-{prefix}-"))
        env = {**os.environ, "EARMARK_HOME": str(home), "DAGSTER_HOME": str(home / "dagster")}
        try:
            done = subprocess.run([earmark, "migrate"], capture_output=True, text=True, timeout=300, env=env)
            assert done.returncode == 0, done.stderr
            yield env, home
        finally:
            subprocess.run([earmark, "db", "stop"], capture_output=True, timeout=60, env=env)
            shutil.rmtree(home, ignore_errors=True)

    return _home


# The API under test: keys for a tenant (or the platform) and a real app over the session's Postgres.
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
def make_token(database) -> Callable[..., Caller]:
    """An OAuth access token (client_credentials) where a test would use a key: the same Caller shape,
    with the client's id as `key_id`. The read API must treat both alike (issue 11)."""
    from earmark.identity import oauth

    def _make(tenant: tenancy.Tenant, scopes: list[str]) -> Caller:
        with db.connect("owner") as conn:
            client, secret = oauth.create_client(conn, tenant.id, "dashboard back end", ["https://dash.example/cb"],
                                                 scopes=scopes, grant_types=["client_credentials"])
        with TestClient(create_app(api_settings=ApiSettings()), base_url="https://testserver") as app:
            answer = app.post("/oauth/token", auth=(client.client_id, secret),
                              data={"grant_type": "client_credentials", "scope": " ".join(scopes)})
        assert answer.status_code == 200, answer.text
        return Caller(tenant, client.client_id, answer.json()["access_token"])

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
