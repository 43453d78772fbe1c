"""Users of a tenant through the core and the `earmark users` command: roles, unique emails, hashes."""

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from earmark import db
from earmark.identity import roles, users

EARMARK = str(Path(sys.executable).with_name("earmark"))


def earmark(*args, stdin="", check=True):
    done = subprocess.run([EARMARK, *args], input=stdin, capture_output=True, text=True, timeout=300,
                          env=dict(os.environ))
    if check:
        assert done.returncode == 0, done.stderr
    return done


def _stored(user_id) -> dict:
    with db.connect("owner") as conn, conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        return cur.execute("select * from app.users where id = %s", [user_id]).fetchone()


def test_users_create_list_disable_from_the_command_line(make_tenant):
    tenant = make_tenant()
    made = earmark("users", "create", "--tenant", str(tenant.id), "--email", "Ana@Example.COM", "--role",
                   "admin", "--password-stdin", "--json", stdin="a quiet harbour at dawn\n")
    created = json.loads(made.stdout)
    assert set(created) == {"id", "email", "role"}
    assert (created["email"], created["role"]) == ("Ana@example.com", "admin")
    row = _stored(created["id"])
    assert row["password_hash"].startswith("$argon2id$") and "harbour" not in row["password_hash"]
    assert (row["status"], row["last_login_at"], row["tenant_id"]) == ("active", None, tenant.id)
    assert "harbour" not in made.stdout + made.stderr

    # Emails are unique per tenant, ignoring case; another tenant may reuse one.
    again = earmark("users", "create", "--tenant", str(tenant.id), "--email", "ANA@example.com", "--role",
                    "viewer", "--password-stdin", stdin="another long passphrase\n", check=False)
    assert again.returncode == 1
    assert again.stderr.strip() == ("error: The tenant already has a user ANA@example.com (emails are "
                                    "unique per tenant, ignoring case).")
    other = make_tenant()
    earmark("users", "create", "--tenant", str(other.id), "--email", "ana@example.com", "--role", "viewer",
            "--password-stdin", stdin="another long passphrase\n")

    listed = json.loads(earmark("users", "list", "--tenant", str(tenant.id), "--json").stdout)
    assert [(u["id"], u["email"], u["role"], u["status"]) for u in listed] == [
        (created["id"], "Ana@example.com", "admin", "active")]
    disabled = json.loads(earmark("users", "disable", created["id"], "--json").stdout)
    assert disabled["status"] == "disabled" and _stored(created["id"])["disabled_at"] is not None


@pytest.mark.parametrize(("args", "stdin", "sentence"), [
    (["--role", "viewer"], "", "error: Pass the password on standard input with --password-stdin"),
    (["--role", "viewer", "--password-stdin"], "short\n",
     "error: A password needs at least 12 characters; this one has 5."),
    (["--role", "boss", "--password-stdin"], "a perfectly fine passphrase\n",
     "error: Unknown role 'boss'; choose one of owner, admin, analyst, viewer."),
])
def test_a_bad_request_is_one_sentence_and_creates_nobody(make_tenant, args, stdin, sentence):
    tenant = make_tenant()
    done = earmark("users", "create", "--tenant", str(tenant.id), "--email", "x@example.com", *args,
                   stdin=stdin, check=False)
    assert done.returncode == 1 and done.stderr.startswith(sentence) and "Traceback" not in done.stderr
    assert json.loads(earmark("users", "list", "--tenant", str(tenant.id), "--json").stdout) == []


def test_who_may_grant_what_and_the_last_owner_stays(make_tenant):
    tenant = make_tenant()
    with db.connect("owner") as conn:
        owner = users.create_user(conn, tenant.id, "o@example.com", "owner", "owner passphrase one")
        admin = users.create_user(conn, tenant.id, "a@example.com", "admin", "admin passphrase one")
        with pytest.raises(roles.RoleError, match="^Only an owner can create or promote an owner.$"):
            users.create_user(conn, tenant.id, "b@example.com", "owner", "admin passphrase two",
                              actor_role="admin")
        with pytest.raises(roles.RoleError, match="^Only an owner can change another owner.$"):
            users.update_user(conn, owner, status="disabled", actor_role="admin")
        with pytest.raises(roles.RoleError, match="^Only an owner or an admin manages users.$"):
            users.create_user(conn, tenant.id, "c@example.com", "viewer", "analyst passphrase",
                              actor_role="analyst")
        with pytest.raises(users.UserError, match="last active owner"):
            users.update_user(conn, owner, role="admin", actor_role="owner")
        promoted = users.update_user(conn, admin, role="owner", actor_role="owner")
        assert promoted.role == "owner"
        demoted = users.update_user(conn, owner, role="viewer", actor_role="owner")  # another owner is left
        assert demoted.role == "viewer"
        assert [u.email for u in users.list_users(conn, tenant.id)] == ["a@example.com", "o@example.com"]


def test_a_tenant_sees_only_its_own_users(make_tenant, api_conn):
    mine, theirs = make_tenant(), make_tenant()
    with db.connect("owner") as conn:
        users.create_user(conn, mine.id, "me@example.com", "viewer", "my own passphrase")
        users.create_user(conn, theirs.id, "them@example.com", "viewer", "their own passphrase")
    with db.tenant_transaction(api_conn, mine.id):
        seen = api_conn.execute("select email from app.users").fetchall()
    assert seen == [("me@example.com",)]
    with pytest.raises(psycopg.errors.InsufficientPrivilege), db.tenant_transaction(api_conn, mine.id):
        api_conn.execute("insert into app.users (tenant_id, email, role, password_hash) "
                         "values (%s, 'x@example.com', 'owner', '$argon2id$x')", [theirs.id])
