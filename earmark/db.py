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
from earmark.sqlfiles import load

Role = Literal["admin", "owner", "transformer", "api"]


class DatabaseUnavailable(EarmarkError):
    """The database cannot be reached; the message says where we looked."""


ROLE_NAMES: dict[Role, str] = {
    "admin": "postgres",
    "owner": "earmark_owner",
    "transformer": "earmark_transformer",
    "api": "earmark_api",
}


def url(role: Role = "owner", database: str | None = None, settings: Settings | None = None) -> str:
    """A libpq URL for `role`; starts the embedded server when it is the one in use."""
    settings = settings or get_settings()
    dbname = database or settings.database_name
    if settings.uses_embedded_server:
        socket_dir = server.ensure_running(settings).socket_dir
        user = ROLE_NAMES[role]
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
        netloc = f"{ROLE_NAMES[role]}{password}@{host}"
    return urlunsplit((parts.scheme, netloc, path, parts.query, parts.fragment))


def connect(role: Role = "owner", *, autocommit: bool = True, settings: Settings | None = None,
            database: str | None = None) -> psycopg.Connection:
    """A connection as `role`, in autocommit: every transaction is explicit (`conn.transaction()`,
    tenant_transaction), so none is ever a savepoint of an implicit one by accident.

    On an external server the owner is reached from DATABASE_URL's administrator with SET ROLE, sent in
    autocommit so it holds for the whole session: inside an implicit transaction a rollback would undo it
    and leave the administrator (a superuser, past every RLS policy) in charge of what follows.
    """
    settings = settings or get_settings()
    target = url(role, database=database, settings=settings)
    where = "the embedded server" if settings.uses_embedded_server else "DATABASE_URL"
    try:
        conn = psycopg.connect(target, autocommit=True)
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable(
            f"Cannot connect to {where} as {ROLE_NAMES[role]}: "
            f"{str(exc).strip().splitlines()[0]} (run `earmark migrate` first?)"
        ) from None
    except psycopg.ProgrammingError:
        # libpq's message quotes the offending part of the URL, which may be the password: not repeated.
        raise DatabaseUnavailable(f"{where} is not a valid connection URL; check its syntax and that "
                                  "special characters in the password are percent-encoded.") from None
    if role == "owner" and not settings.uses_embedded_server:
        try:
            conn.execute(load("earmark", "set_role_owner"))
        except psycopg.Error:
            conn.close()
            raise DatabaseUnavailable(f"The administrator of {where} cannot act as {ROLE_NAMES['owner']}: "
                                      "run `earmark migrate` first, which creates the role.") from None
    conn.autocommit = autocommit
    return conn


@contextmanager
def tenant_transaction(conn: psycopg.Connection, tenant_id: UUID | str) -> Iterator[psycopg.Connection]:
    """A transaction whose first statement scopes row-level security to one tenant.

    set_config(..., true) is local to the transaction, so a pooled connection never carries a
    tenant into the next request (a session-level SET would). The connection must be outside any
    transaction: inside one this would be a savepoint, and the tenant would outlive it.
    """
    if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        raise RuntimeError("tenant_transaction needs a connection outside any transaction (use the "
                           "autocommit connections of earmark.db.connect)")
    with conn.transaction():
        conn.execute(load("earmark", "set_tenant"), {"tenant_id": str(UUID(str(tenant_id)))})
        yield conn
