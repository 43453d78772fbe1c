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

# Any constant works; it only has to be the same for every process that migrates this database.
MIGRATION_LOCK_KEY = 7_316_221_501


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


def _sql_file(name: str) -> str:
    return (files("earmark") / "migrations" / name).read_text(encoding="utf-8")


def available() -> list[Migration]:
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
        admin.execute(_sql_file("bootstrap.sql"))
        for role, secret in (("transformer", settings.transformer_password),
                             ("api", settings.api_password)):
            if secret is not None:
                admin.execute(sql.SQL("alter role {} password {}").format(
                    sql.Identifier(db.ROLE_NAMES[role]), sql.Literal(secret.get_secret_value())))
        exists = admin.execute("select 1 from pg_database where datname = %s",
                               [settings.database_name]).fetchone()
        if not exists:
            admin.execute(sql.SQL("create database {} owner earmark_owner").format(
                sql.Identifier(settings.database_name)))
        dagster_exists = admin.execute("select 1 from pg_database where datname = %s",
                                       [settings.dagster_database_name]).fetchone()
        if not dagster_exists:
            admin.execute(sql.SQL("create database {} owner earmark_owner").format(
                sql.Identifier(settings.dagster_database_name)))
    with db.connect("admin", autocommit=True, settings=settings,
                    database=settings.database_name) as admin:
        admin.execute(_sql_file("database.sql"))


def migrate(settings: Settings | None = None) -> list[str]:
    """Apply every migration not yet recorded; returns the versions applied now."""
    settings = settings or get_settings()
    bootstrap(settings)
    applied_now: list[str] = []
    with db.connect("owner", autocommit=True, settings=settings) as conn:
        conn.execute("select pg_advisory_lock(%s)", [MIGRATION_LOCK_KEY])
        try:
            conn.execute(
                """
                create table if not exists app.schema_migrations (
                    version    text primary key,
                    name       text not null,
                    checksum   text not null,
                    applied_at timestamptz not null default now()
                )
                """
            )
            recorded = dict(conn.execute("select version, checksum from app.schema_migrations"))
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
            conn.execute("select pg_advisory_unlock(%s)", [MIGRATION_LOCK_KEY])
    return applied_now


def _apply(conn: psycopg.Connection, migration: Migration) -> None:
    try:
        with conn.transaction():
            conn.execute(migration.text)
            conn.execute(
                "insert into app.schema_migrations (version, name, checksum) values (%s, %s, %s)",
                [migration.version, migration.name, migration.checksum],
            )
    except psycopg.Error as exc:
        raise MigrationError(
            f"Migration {migration.version}_{migration.name} failed and was rolled back: "
            f"{str(exc).strip().splitlines()[0]}"
        ) from None
