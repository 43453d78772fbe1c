"""Connections by role, and the tenant-scoped transaction that is the only way to touch tenant data.

Three roles: the owner runs migrations and owns the app tables; the transformer runs ingestion and
dbt; the API role owns nothing and bypasses nothing, so row-level security always applies to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal
from urllib.parse import quote, urlsplit, urlunsplit
from uuid import UUID

import psycopg

from earmark import server
from earmark.errors import EarmarkError
from earmark.settings import Settings, get_settings

Role = Literal["admin", "owner", "transformer", "api"]


class DatabaseUnavailable(EarmarkError):
    """The database cannot be reached; the message says where we looked."""


ROLE_NAMES: dict[Role, str] = {
    "admin": "postgres",
    "owner": "earmark_owner",
    "transformer": "earmark_transformer",
    "api": "earmark_api",
}


def role_name(settings: Settings, role: Role) -> str:
    return ROLE_NAMES[role]


def url(role: Role = "owner", database: str | None = None, settings: Settings | None = None) -> str:
    """A libpq URL for `role`; starts the embedded server when it is the one in use."""
    settings = settings or get_settings()
    dbname = database or settings.database_name
    if settings.uses_embedded_server:
        socket_dir = server.ensure_running(settings).socket_dir
        user = role_name(settings, role)
        if role == "admin" and database is None:
            dbname = "postgres"
        return f"postgresql://{user}@/{dbname}?host={quote(str(socket_dir))}"
    return _external_url(settings, role, dbname if (role != "admin" or database) else None)


def _external_url(settings: Settings, role: Role, dbname: str | None) -> str:
    # DATABASE_URL names a role that may create roles and databases (the server's admin);
    # the owner is reached from it with SET ROLE, the others log in with their own passwords.
    parts = urlsplit(settings.database_url)
    netloc = parts.netloc
    path = parts.path if dbname is None else f"/{dbname}"
    if role in ("transformer", "api"):
        secret = settings.transformer_password if role == "transformer" else settings.api_password
        host = netloc.rsplit("@", 1)[-1]
        password = f":{quote(secret.get_secret_value())}" if secret else ""
        netloc = f"{role_name(settings, role)}{password}@{host}"
    return urlunsplit((parts.scheme, netloc, path, parts.query, parts.fragment))


def connect(role: Role = "owner", *, autocommit: bool = False, settings: Settings | None = None,
            database: str | None = None) -> psycopg.Connection:
    settings = settings or get_settings()
    target = url(role, database=database, settings=settings)
    try:
        conn = psycopg.connect(target, autocommit=autocommit)
    except psycopg.OperationalError as exc:
        where = "the embedded server" if settings.uses_embedded_server else "DATABASE_URL"
        raise DatabaseUnavailable(
            f"Cannot connect to {where} as {role_name(settings, role)}: "
            f"{str(exc).strip().splitlines()[0]} (run `earmark migrate` first?)"
        ) from None
    if role == "owner" and not settings.uses_embedded_server:
        conn.execute(f"set role {ROLE_NAMES['owner']}")
    return conn


@contextmanager
def tenant_transaction(conn: psycopg.Connection, tenant_id: UUID | str) -> Iterator[psycopg.Connection]:
    """A transaction whose first statement scopes row-level security to one tenant.

    set_config(..., true) is local to the transaction, so a pooled connection never carries a
    tenant into the next request (a session-level SET would).
    """
    with conn.transaction():
        conn.execute("select set_config('app.tenant_id', %s, true)", [str(UUID(str(tenant_id)))])
        yield conn
