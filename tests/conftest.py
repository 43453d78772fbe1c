"""One throwaway embedded Postgres for the whole session, migrated once; tenants are per test."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path

# Before anything reads settings: a private home, the embedded server, the test environment.
_HOME = Path(tempfile.mkdtemp(prefix="earmark-test-"))
os.environ["EARMARK_HOME"] = str(_HOME)
os.environ["EARMARK_ENV"] = "test"
# Outside development the default secret is refused; every test process (and CLI it starts) shares this.
os.environ["EARMARK_SECRET_KEY"] = uuid.uuid4().hex + uuid.uuid4().hex
os.environ.pop("DATABASE_URL", None)
os.environ["DAGSTER_HOME"] = str(_HOME / "dagster")

import psycopg  # noqa: E402
import pytest  # noqa: E402

from earmark import db, server, tenancy  # noqa: E402
from earmark.migrate import migrate  # noqa: E402
from earmark.settings import get_settings  # noqa: E402


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
