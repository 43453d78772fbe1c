"""The audit log's hash chain: append-only for every role, and `verify` names the first entry that was
changed, removed, inserted or moved by a superuser who switched the triggers off, or a chain rewritten
from scratch when checked against an exported head."""

from __future__ import annotations

import json

import psycopg
import pytest
from typer.testing import CliRunner

from earmark import db
from earmark.cli import app
from earmark.privacy import audit

ACTIONS = ["key_created", "settings_changed", "user_created", "user_role_changed", "catalog_imported",
           "data_exported"]


def chain(tenant_id, n: int = 6) -> None:
    """n entries appended by the API role in the tenant's transaction, as the routes do."""
    with psycopg.connect(db.url("api"), autocommit=True) as conn:
        for i in range(n):
            with db.tenant_transaction(conn, tenant_id):
                seq = audit.append(conn, tenant_id, f"key:k{i}", ACTIONS[i % len(ACTIONS)], f"target:{i}",
                                   f"req-{i}", {"field": "lookback_days", "old": i, "new": i + 1, "ü": "ß"})
            assert seq == i + 1


def tamper(*statements: str, params: dict | None = None) -> None:
    """As the superuser, with triggers off for this session only (session_replication_role)."""
    with db.connect("admin", database=db.get_settings().database_name) as conn, conn.transaction():
        conn.execute("set local session_replication_role = replica")
        for statement in statements:
            conn.execute(statement, params or {})


def verdict(tenant_id, head: audit.Head | None = None) -> dict:
    with db.connect("owner") as conn:
        return audit.verify(conn, tenant_id, head).as_json()


def rows(tenant_id) -> list[tuple]:
    with db.connect("owner") as conn:
        return conn.execute("select seq, hash, prev_hash from app.audit_log where tenant_id = %s "
                            "order by seq", [tenant_id]).fetchall()


def test_an_intact_chain_verifies_and_links_every_entry(make_tenant):
    tenant = make_tenant()
    chain(tenant.id)
    assert verdict(tenant.id) == {"ok": True, "entries": 6}
    found = rows(tenant.id)
    assert [r[0] for r in found] == [1, 2, 3, 4, 5, 6]
    assert found[0][2] == "0" * 64
    assert all(found[i][2] == found[i - 1][1] for i in range(1, 6))
    # the database's hash is the documented one, recomputed outside it
    with db.connect("owner") as conn:
        first = conn.execute("select seq, occurred_at, actor, action, target, request_id, changes::text, "
                             "prev_hash, hash from app.audit_log where tenant_id = %s and seq = 1",
                             [tenant.id]).fetchone()
    assert audit.entry_hash(first[0], str(tenant.id), *first[1:8]) == first[8]


def test_no_role_may_update_delete_or_truncate(make_tenant):
    tenant = make_tenant()
    chain(tenant.id, 2)
    for role in ("owner", "transformer"):
        for statement in ("update app.audit_log set actor = 'x' where tenant_id = %(t)s",
                          "delete from app.audit_log where tenant_id = %(t)s",
                          "truncate app.audit_log"):
            with (db.connect(role) as conn, pytest.raises(psycopg.Error) as refused,
                  db.tenant_transaction(conn, tenant.id)):
                conn.execute(statement, {"t": tenant.id})
            assert isinstance(refused.value, (psycopg.errors.InsufficientPrivilege,)), (role, statement)
    with (psycopg.connect(db.url("api"), autocommit=True) as conn,
          pytest.raises(psycopg.errors.InsufficientPrivilege), db.tenant_transaction(conn, tenant.id)):
        conn.execute("update app.audit_log set actor = 'x'")
    assert verdict(tenant.id) == {"ok": True, "entries": 2}


def test_a_tenant_role_cannot_write_another_tenants_chain(make_tenant):
    mine, other = make_tenant(), make_tenant()
    with (psycopg.connect(db.url("api"), autocommit=True) as conn,
          pytest.raises(psycopg.errors.InsufficientPrivilege), db.tenant_transaction(conn, mine.id)):
        audit.append(conn, other.id, "key:x", "key_created")
    assert rows(other.id) == []


def test_secrets_are_refused_in_changes(make_tenant):
    tenant = make_tenant()
    with db.connect("owner") as conn, pytest.raises(audit.AuditError, match="password"):
        audit.append(conn, tenant.id, "cli:x", "user_created", changes={"user": {"password": "hunter2"}})


def test_an_edited_entry_is_found_at_its_seq(make_tenant):
    tenant = make_tenant()
    chain(tenant.id)
    tamper("update app.audit_log set changes = '{\"field\": \"lookback_days\", \"new\": 90}' "
           "where tenant_id = %(t)s and seq = 3", params={"t": tenant.id})
    assert verdict(tenant.id) == {"ok": False, "entries": 6, "first_bad_seq": 3,
                                  "reason": "entry 3 was changed (its content does not match its hash)"}


def test_an_edited_actor_with_a_recomputed_hash_breaks_the_next_link(make_tenant):
    tenant = make_tenant()
    chain(tenant.id)
    with db.connect("owner") as conn:
        seq, at, _actor, action, target, rid, changes, prev, _ = conn.execute(
            "select seq, occurred_at, actor, action, target, request_id, changes::text, prev_hash, hash "
            "from app.audit_log where tenant_id = %s and seq = 2", [tenant.id]).fetchone()
    forged = audit.entry_hash(seq, str(tenant.id), at, "key:someone-else", action, target, rid, changes, prev)
    tamper("update app.audit_log set actor = 'key:someone-else', hash = %(h)s "
           "where tenant_id = %(t)s and seq = 2", params={"t": tenant.id, "h": forged})
    found = verdict(tenant.id)
    assert (found["ok"], found["first_bad_seq"]) == (False, 3)


def test_a_removed_entry_is_found_at_its_seq(make_tenant):
    tenant = make_tenant()
    chain(tenant.id)
    tamper("delete from app.audit_log where tenant_id = %(t)s and seq = 4", params={"t": tenant.id})
    assert verdict(tenant.id) == {"ok": False, "entries": 5, "first_bad_seq": 4,
                                  "reason": "entry 4 is missing (removed)"}


def test_a_removed_and_renumbered_entry_is_found_at_its_seq(make_tenant):
    tenant = make_tenant()
    chain(tenant.id)
    tamper("delete from app.audit_log where tenant_id = %(t)s and seq = 4",
           "update app.audit_log set seq = seq + 1000 where tenant_id = %(t)s and seq > 4",
           "update app.audit_log set seq = seq - 1001 where tenant_id = %(t)s and seq > 1000",
           params={"t": tenant.id})
    found = verdict(tenant.id)
    assert (found["ok"], found["entries"], found["first_bad_seq"]) == (False, 5, 4)


@pytest.mark.parametrize("forged_well", [True, False])
def test_an_inserted_entry_is_found_at_its_seq(make_tenant, forged_well):
    tenant = make_tenant()
    chain(tenant.id)
    found = rows(tenant.id)
    tamper("update app.audit_log set seq = seq + 1000 where tenant_id = %(t)s and seq >= 3",
           "update app.audit_log set seq = seq - 999 where tenant_id = %(t)s and seq > 1000",
           params={"t": tenant.id})
    with db.connect("owner") as conn:
        at = conn.execute("select occurred_at from app.audit_log where tenant_id = %s and seq = 2",
                          [tenant.id]).fetchone()[0]
    prev = found[1][1]  # entry 2's hash: a forger who knows the scheme links the new entry properly
    digest = audit.entry_hash(3, str(tenant.id), at, "key:intruder", "key_created", "key:evil", "", "{}",
                              prev)
    tamper("insert into app.audit_log values (%(t)s, 3, %(at)s, 'key:intruder', 'key_created', 'key:evil', "
           "'', '{}', %(prev)s, %(hash)s)",
           params={"t": tenant.id, "at": at, "prev": prev, "hash": digest if forged_well else "f" * 64})
    result = verdict(tenant.id)
    assert (result["ok"], result["entries"], result["first_bad_seq"]) == (False, 7, 3)
    assert "inserted" in result["reason"]


def test_swapped_entries_are_found_at_the_first_of_them(make_tenant):
    tenant = make_tenant()
    chain(tenant.id)
    tamper("update app.audit_log set seq = seq + 1000 where tenant_id = %(t)s and seq in (3, 4)",
           "update app.audit_log set seq = 4 where tenant_id = %(t)s and seq = 1003",
           "update app.audit_log set seq = 3 where tenant_id = %(t)s and seq = 1004", params={"t": tenant.id})
    result = verdict(tenant.id)
    assert (result["ok"], result["first_bad_seq"]) == (False, 3)
    assert "out of order" in result["reason"]


def test_a_chain_rewritten_from_scratch_is_found_against_the_exported_head(make_tenant, tmp_path):
    tenant = make_tenant()
    chain(tenant.id)
    with db.connect("owner") as conn:
        exported = audit.export_heads(conn, tmp_path)
    document = json.loads(exported.read_text())
    assert document["heads"][str(tenant.id)]["seq"] == 6 and document["exported_at"]
    head = audit.read_head(exported, tenant.id)
    assert verdict(tenant.id, head) == {"ok": True, "entries": 6}

    # the superuser drops the chain and writes a consistent new one of the same length
    with db.connect("owner") as conn:
        original = conn.execute("select seq, occurred_at, action, target, request_id from app.audit_log "
                                "where tenant_id = %s order by seq", [tenant.id]).fetchall()
    statements, prev = ["delete from app.audit_log where tenant_id = %(t)s"], "0" * 64
    params: dict = {"t": tenant.id}
    for seq, at, action, target, rid in original:
        digest = audit.entry_hash(seq, str(tenant.id), at, "key:innocent", action, target, rid, "{}", prev)
        statements.append(f"insert into app.audit_log values (%(t)s, {seq}, %(at{seq})s, 'key:innocent', "
                          f"'{action}', '{target}', '{rid}', '{{}}', '{prev}', '{digest}')")
        params[f"at{seq}"] = at
        prev = digest
    tamper(*statements, params=params)
    assert verdict(tenant.id) == {"ok": True, "entries": 6}  # alone, the rewrite is consistent
    assert verdict(tenant.id, head) == {
        "ok": False, "entries": 6, "first_bad_seq": 6,
        "reason": "entry 6 does not match the exported head (the chain was rewritten)"}

    # the CLI reads the newest export from the folder it is given
    runner = CliRunner()
    done = runner.invoke(app, ["audit", "verify", "--tenant", str(tenant.id), "--head", str(exported),
                               "--json"])
    assert done.exit_code == 2
    assert json.loads(done.stdout)["first_bad_seq"] == 6


def test_entries_cut_from_the_end_are_found_against_the_exported_head(make_tenant, tmp_path):
    tenant = make_tenant()
    chain(tenant.id)
    with db.connect("owner") as conn:
        head = audit.read_head(audit.export_heads(conn, tmp_path), tenant.id)
    tamper("delete from app.audit_log where tenant_id = %(t)s and seq >= 5", params={"t": tenant.id})
    assert verdict(tenant.id) == {"ok": True, "entries": 4}
    assert verdict(tenant.id, head)["first_bad_seq"] == 5


def test_the_cli_answers_ok_as_json(make_tenant, tmp_path, monkeypatch):
    tenant = make_tenant()
    chain(tenant.id, 3)
    monkeypatch.setenv("EARMARK_AUDIT_EXPORT_DIR", str(tmp_path / "none-yet"))
    db.get_settings.cache_clear()
    try:
        done = CliRunner().invoke(app, ["audit", "verify", "--tenant", str(tenant.id), "--json"])
    finally:
        db.get_settings.cache_clear()
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout) == {"ok": True, "entries": 3}
