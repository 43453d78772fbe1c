"""The core's write paths on an external server, reached as its administrator the way DATABASE_URL is used.

The embedded server's superuser stands in for a managed server's admin. Every object the migrations
create and every row the write paths insert must belong to, and be written by, Earmark's own roles, also
after a failed statement: a superuser would pass every row-level-security policy.
"""

from __future__ import annotations

import uuid

import psycopg
import pytest
from psycopg import sql

from earmark import db, keys, server, tenancy
from earmark.ingest import ingest_file
from earmark.migrate import migrate
from earmark.settings import get_settings

WATCHED = {"app.tenants": "earmark_owner", "app.tenant_settings": "earmark_owner",
           "app.api_keys": "earmark_owner", "raw.events": "earmark_transformer",
           "raw.ingest_batches": "earmark_transformer", "app.tenant_usage": "earmark_transformer"}


@pytest.fixture
def external(database, monkeypatch):
    socket_dir = server.status(database).socket_dir
    name = f"earmark_ext_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("DATABASE_URL", f"postgresql://postgres@/postgres?host={socket_dir}")
    monkeypatch.setenv("EARMARK_DATABASE_NAME", name)
    monkeypatch.setenv("EARMARK_DAGSTER_DATABASE_NAME", name + "_dagster")
    monkeypatch.setenv("EARMARK_TRANSFORMER_PASSWORD", "transformer-" + uuid.uuid4().hex)
    monkeypatch.setenv("EARMARK_API_PASSWORD", "api-" + uuid.uuid4().hex)
    get_settings.cache_clear()
    try:
        settings = get_settings()
        assert not settings.uses_embedded_server
        yield settings
    finally:
        get_settings.cache_clear()
        monkeypatch.undo()
        get_settings.cache_clear()
        with psycopg.connect(f"postgresql://postgres@/postgres?host={socket_dir}", autocommit=True) as admin:
            for dbname in (name, name + "_dagster"):
                admin.execute(sql.SQL("drop database if exists {} with (force)").format(
                    sql.Identifier(dbname)))


def _watch_writers(settings) -> None:
    """A statement trigger on each watched table records the role that wrote it (as the admin)."""
    with db.connect("admin", settings=settings, database=settings.database_name) as admin:
        admin.execute("create table public.writers (tbl text, writer text)")
        admin.execute("grant insert on public.writers to public")
        admin.execute("""
            create function public.record_writer() returns trigger language plpgsql as $$
            begin insert into public.writers values (tg_table_schema || '.' || tg_table_name, current_user);
                  return null; end $$""")
        for table in WATCHED:
            admin.execute(f"create trigger record_writer after insert on {table} "
                          "for each statement execute function public.record_writer()")


def test_write_paths_run_as_earmarks_roles_also_after_a_failed_statement(external, tmp_path):
    settings = external
    migrate(settings)
    with db.connect("admin", settings=settings, database=settings.database_name) as admin:
        owners = admin.execute("""
            select n.nspname || '.' || c.relname, pg_get_userbyid(c.relowner) from pg_class c
            join pg_namespace n on n.oid = c.relnamespace
            where n.nspname in ('app', 'raw', 'catalog')
              and c.relkind in ('r', 'p', 'v', 'S', 'i')""").fetchall()
        functions = admin.execute("""
            select p.proname, pg_get_userbyid(p.proowner) from pg_proc p
            join pg_namespace n on n.oid = p.pronamespace where n.nspname in ('app', 'catalog')""").fetchall()
        schemas = admin.execute("select nspname, pg_get_userbyid(nspowner) from pg_namespace "
                                "where nspname in ('app', 'raw', 'catalog')").fetchall()
    assert len(owners) > 10 and {owner for _, owner in owners} == {"earmark_owner"}, owners
    assert functions and {owner for _, owner in functions} == {"earmark_owner"}, functions
    assert len(schemas) == 3 and {owner for _, owner in schemas} == {"earmark_owner"}
    with db.connect("admin", settings=settings) as admin:  # the role passwords: verifiers, never plain
        stored = dict(admin.execute("select rolname, rolpassword from pg_authid where rolname in "
                                    "('earmark_transformer', 'earmark_api')").fetchall())
    assert all(value.startswith("SCRAM-SHA-256$") for value in stored.values())
    assert settings.api_password.get_secret_value() not in stored["earmark_api"]
    _watch_writers(settings)

    with db.connect("owner", settings=settings) as conn:
        assert conn.autocommit
        assert conn.execute("select current_user").fetchone()[0] == "earmark_owner"
        with pytest.raises(psycopg.errors.DivisionByZero):
            conn.execute("select 1 / 0")
        conn.rollback()  # what a caller does after an error: it must not hand the session to the admin
        with pytest.raises(tenancy.TenantError), conn.transaction():
            tenancy.create_tenant(conn, "External Audio")
            tenancy.create_tenant(conn, "External Audio")  # the duplicate fails inside the transaction
        assert tenancy.list_tenants(conn) == []  # the whole transaction rolled back
        assert conn.execute("select current_user").fetchone()[0] == "earmark_owner"
        tenant = tenancy.create_tenant(conn, "External Audio")
        keys.create(conn, tenant_id=tenant.id, settings=settings)
        # tenant_transaction refuses to become a savepoint of a transaction already open.
        conn.autocommit = False
        conn.execute("select 1")
        with pytest.raises(RuntimeError, match="outside any transaction"), \
                db.tenant_transaction(conn, tenant.id):
            pass
        conn.rollback()
        conn.autocommit = True
    path = tmp_path / "events.csv"
    path.write_text("event_id,user_id,occurred_at,event_type,channel\n"
                    "t1,u1,2026-03-01T10:00:00Z,touchpoint,podcast\n"
                    "c1,u1,2026-03-01T11:00:00Z,conversion,\n")
    result = ingest_file(tenant.id, path)
    assert (result.loaded, result.rejected) == (2, 0)

    with db.connect("admin", settings=settings, database=settings.database_name) as admin:
        writers = admin.execute("select tbl, array_agg(distinct writer) from public.writers group by tbl"
                                ).fetchall()
        assert dict(writers) == {table: [role] for table, role in WATCHED.items()}
        loaded = admin.execute("select count(*) from raw.events where tenant_id = %s", [tenant.id])
        assert loaded.fetchone()[0] == 2
