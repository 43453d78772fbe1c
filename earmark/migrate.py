"""Ordered SQL migrations: idempotent, recorded with a checksum, serialised by an advisory lock."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib.resources import files

import psycopg
from psycopg import sql

from earmark import db
from earmark.errors import EarmarkError
from earmark.settings import Settings, get_settings
from earmark.sqlfiles import load


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    text: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


class MigrationError(EarmarkError):
    """A migration failed (and was rolled back) or was edited after it ran."""


def available() -> list[Migration]:
    """The numbered migrations shipped with this release, in order (a catalogue, listed from the package)."""
    folder = files("earmark") / "migrations"
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".sql") and entry.name[:4].isdigit():
            version, _, rest = entry.name.partition("_")
            found.append(Migration(version, rest.removesuffix(".sql"), entry.read_text("utf-8")))
    return found


def bootstrap(settings: Settings) -> None:
    """Roles and the database itself: needs the server's admin, runs every time, changes nothing twice."""
    with db.connect("admin", autocommit=True, settings=settings) as admin:
        admin.execute(load("earmark", "bootstrap"))
        for role, secret in (("transformer", settings.transformer_password),
                             ("api", settings.api_password)):
            if secret is not None:
                # A SCRAM verifier computed here: the plain password never reaches the server (or its log).
                name = db.ROLE_NAMES[role]
                verifier = admin.pgconn.encrypt_password(secret.get_secret_value().encode(), name.encode(),
                                                         b"scram-sha-256").decode()
                admin.execute(sql.SQL(load("earmark", "role_password")).format(
                    role=sql.Identifier(name), password=sql.Literal(verifier)))
        for name in (settings.database_name, settings.dagster_database_name):
            if not admin.execute(load("earmark", "database_exists"), {"name": name}).fetchone():
                admin.execute(sql.SQL(load("earmark", "create_database")).format(name=sql.Identifier(name)))
    with db.connect("admin", autocommit=True, settings=settings,
                    database=settings.database_name) as admin:
        admin.execute(load("earmark", "database"))


def migrate(settings: Settings | None = None) -> list[str]:
    """Apply every migration not yet recorded; returns the versions applied now."""
    settings = settings or get_settings()
    bootstrap(settings)
    applied_now: list[str] = []
    with db.connect("owner", autocommit=True, settings=settings) as conn:
        conn.execute(load("earmark", "migrations_lock"))
        try:
            conn.execute(load("earmark", "migrations_table"))
            recorded = dict(conn.execute(load("earmark", "migrations_recorded")).fetchall())
            for migration in available():
                if migration.version in recorded:
                    if recorded[migration.version] != migration.checksum:
                        raise MigrationError(
                            f"Migration {migration.version}_{migration.name} changed after it was "
                            "applied; add a new migration instead of editing an applied one."
                        )
                    continue
                _apply(conn, migration)
                applied_now.append(migration.version)
        finally:
            conn.execute(load("earmark", "migrations_unlock"))
    return applied_now


def require_current_schema(settings: Settings | None = None) -> None:
    """Refuse, in one sentence, to run against a database whose schema is not this release's.

    Ordinary commands do not migrate as a side effect: `earmark migrate` (and `earmark demo`, which sets
    everything up) does, once, as the operator decides.
    """
    settings = settings or get_settings()
    try:
        conn = db.connect("owner", autocommit=True, settings=settings)
    except db.DatabaseUnavailable as exc:
        # The embedded server starts on demand, so failing to log in there means no roles or database yet.
        if settings.uses_embedded_server and "does not exist" in str(exc):
            raise MigrationError("This Earmark home has no database yet; run `earmark migrate` first."
                                 ) from None
        raise
    with conn:
        if conn.execute(load("earmark", "migrations_table_exists")).fetchone()[0] is None:
            raise MigrationError("The database has no Earmark schema yet; run `earmark migrate` first.")
        recorded = dict(conn.execute(load("earmark", "migrations_recorded")).fetchall())
    missing = [m.version for m in available() if m.version not in recorded]
    if missing:
        raise MigrationError(f"The database schema is behind this Earmark (migrations {', '.join(missing)} "
                             "not applied); run `earmark migrate` first.")


def _apply(conn: psycopg.Connection, migration: Migration) -> None:
    try:
        with conn.transaction():
            conn.execute(migration.text)
            conn.execute(load("earmark", "migrations_record"), {
                "version": migration.version, "name": migration.name, "checksum": migration.checksum})
    except psycopg.Error as exc:
        raise MigrationError(
            f"Migration {migration.version}_{migration.name} failed and was rolled back: "
            f"{str(exc).strip().splitlines()[0]}"
        ) from None
