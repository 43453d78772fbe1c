from earmark import db
from earmark.migrate import available, migrate


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
