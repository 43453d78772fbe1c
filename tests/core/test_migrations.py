from earmark import db
from earmark.migrate import available, migrate
from earmark.sqlfiles import load as load_sql


def test_migrate_is_idempotent_and_recorded(database):
    assert migrate() == []
    with db.connect("owner") as conn:
        recorded = [r[0] for r in conn.execute("select version from app.schema_migrations order by 1")]
    assert recorded == [m.version for m in available()]


def test_roles_are_not_privileged(database):
    with db.connect("owner") as conn:
        rows = conn.execute(
            "select rolname, rolsuper, rolbypassrls from pg_roles "
            "where rolname in ('earmark_owner', 'earmark_transformer', 'earmark_api') order by 1"
        ).fetchall()
        api_owns = conn.execute(
            "select count(*) from pg_class c join pg_roles r on r.oid = c.relowner "
            "where r.rolname = 'earmark_api'"
        ).fetchone()[0]
    assert rows == [
        ("earmark_api", False, False),
        ("earmark_owner", False, False),
        ("earmark_transformer", False, False),
    ]
    assert api_owns == 0


def test_a_database_behind_this_release_is_refused_in_one_sentence(database):
    import pytest

    from earmark.migrate import MigrationError, require_current_schema

    require_current_schema()  # up to date: no error
    latest = available()[-1]
    with db.connect("owner") as conn:
        (checksum,) = conn.execute("delete from app.schema_migrations where version = %s returning checksum",
                                   [latest.version]).fetchone()
    try:
        with pytest.raises(MigrationError) as refused:
            require_current_schema()
        assert str(refused.value) == (
            f"The database schema is behind this Earmark (migrations {latest.version} not applied); "
            "run `earmark migrate` first.")
    finally:
        with db.connect("owner") as conn:
            conn.execute("insert into app.schema_migrations (version, name, checksum) values (%s, %s, %s)",
                         [latest.version, latest.name, checksum])
    require_current_schema()


def test_events_move_into_their_tenants_partitions(database, monkeypatch):
    """Migration 0016 on a database that already holds events: every row lands in its tenant's partition."""
    import uuid

    from psycopg import sql

    from earmark.migrate import _apply, bootstrap
    from earmark.settings import get_settings

    name = f"earmark_upgrade_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("EARMARK_DATABASE_NAME", name)
    get_settings.cache_clear()
    try:
        settings = get_settings()
        bootstrap(settings)
        with db.connect("owner", settings=settings) as conn:
            conn.execute(load_sql("earmark", "migrations_table"))
            for migration in available():
                if migration.version < "0016":
                    _apply(conn, migration)
            tenants = [conn.execute("insert into app.tenants (name) values (%s) returning id", [f"t{i}"]
                                    ).fetchone()[0] for i in range(2)]
            with conn.transaction():  # as the owner, whose platform policy sees and writes every tenant
                for tenant, count in zip(tenants, (3, 2), strict=True):
                    conn.execute("""
                        insert into raw.events (tenant_id, event_id, user_id, occurred_at, event_type,
                                                channel, batch_id, promo_code)
                        select %s, 'e' || n, 'u', timestamptz '2026-09-01' + n * interval '1 hour',
                               'touchpoint', 'podcast', gen_random_uuid(), 'CODE' || n
                        from generate_series(1, %s) as n""", [tenant, count])
            before = conn.execute("select tenant_id, event_id, occurred_at, promo_code, batch_id, loaded_at "
                                  "from raw.events order by 1, 2").fetchall()
        assert migrate(settings) == [m.version for m in available() if m.version >= "0016"]
        with db.connect("owner", settings=settings) as conn:
            after = conn.execute("select tenant_id, event_id, occurred_at, promo_code, batch_id, loaded_at "
                                 "from raw.events order by 1, 2").fetchall()
            partitions = dict(conn.execute(
                "select inhrelid::regclass::text, (select count(*) from raw.events e "
                "where e.tableoid = inhrelid) from pg_inherits where inhparent = 'raw.events'::regclass"
            ).fetchall())
            kind = conn.execute("select relkind from pg_class where oid = 'raw.events'::regclass").fetchone()
        assert len(before) == 5 and after == before
        assert partitions == {f"raw.events_{tenants[0].hex}": 3, f"raw.events_{tenants[1].hex}": 2}
        assert kind == ("p",)
    finally:
        get_settings.cache_clear()
        monkeypatch.undo()
        get_settings.cache_clear()
        with db.connect("admin") as admin:
            admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
