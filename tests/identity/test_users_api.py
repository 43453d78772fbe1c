"""/api/v1/users with a key (scope users:admin): a key acts as an admin, so it never makes or touches an
owner; everything stays inside the key's tenant."""

from earmark import db
from earmark.identity import users

ADMIN = ["attribution:read", "users:admin"]


def _problem(answer, status, slug):
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert body["type"].endswith(slug), body
    return body["detail"]


def test_create_list_and_change_users(client, make_tenant, make_key):
    tenant = make_tenant()
    caller = make_key(tenant, ADMIN)
    made = client.post("/api/v1/users", headers=caller.headers, json={
        "email": "Bo@Example.com", "role": "analyst", "password": "long enough to remember"})
    assert made.status_code == 201, made.text
    created = made.json()
    assert set(created) == {"id", "email", "role", "status", "created_at", "last_login_at"}
    assert (created["email"], created["role"], created["status"]) == ("Bo@example.com", "analyst", "active")
    with db.connect("owner") as conn:
        stored = conn.execute("select tenant_id, password_hash from app.users where id = %s",
                              [created["id"]]).fetchone()
    assert stored[0] == tenant.id and stored[1].startswith("$argon2id$")

    listed = client.get("/api/v1/users", headers=caller.headers).json()["data"]
    assert [(u["id"], u["role"]) for u in listed] == [(created["id"], "analyst")]

    promoted = client.patch(f"/api/v1/users/{created['id']}", headers=caller.headers, json={"role": "admin"})
    assert promoted.status_code == 200 and promoted.json()["role"] == "admin"
    disabled = client.patch(f"/api/v1/users/{created['id']}", headers=caller.headers,
                            json={"status": "disabled"})
    assert disabled.json()["status"] == "disabled"
    with db.connect("owner") as conn:
        assert users.get_user(conn, created["id"]).status == "disabled"


def test_a_key_never_makes_or_changes_an_owner(client, make_tenant, make_key):
    tenant = make_tenant()
    caller = make_key(tenant, ADMIN)
    with db.connect("owner") as conn:
        owner = users.create_user(conn, tenant.id, "owner@example.com", "owner", "the first owner here")
        viewer = users.create_user(conn, tenant.id, "viewer@example.com", "viewer", "a viewer passphrase")
    answer = client.post("/api/v1/users", headers=caller.headers, json={
        "email": "new@example.com", "role": "owner", "password": "long enough to remember"})
    assert _problem(answer, 403, "role-not-allowed") == "Only an owner can create or promote an owner."
    answer = client.patch(f"/api/v1/users/{viewer.id}", headers=caller.headers, json={"role": "owner"})
    assert _problem(answer, 403, "role-not-allowed") == "Only an owner can create or promote an owner."
    answer = client.patch(f"/api/v1/users/{owner.id}", headers=caller.headers, json={"status": "disabled"})
    assert _problem(answer, 403, "role-not-allowed") == "Only an owner can change another owner."
    with db.connect("owner") as conn:
        assert [(u.email, u.role, u.status) for u in users.list_users(conn, tenant.id)] == [
            ("owner@example.com", "owner", "active"), ("viewer@example.com", "viewer", "active")]


def test_bad_requests_are_clear_and_change_nothing(client, make_tenant, make_key):
    tenant, other = make_tenant(), make_tenant()
    caller = make_key(tenant, ADMIN)
    reader = make_key(tenant, ["attribution:read"])
    with db.connect("owner") as conn:
        taken = users.create_user(conn, tenant.id, "taken@example.com", "viewer", "already here passphrase")
        elsewhere = users.create_user(conn, other.id, "them@example.com", "viewer", "another tenant's user")
    body = {"email": "TAKEN@example.com", "role": "viewer", "password": "long enough to remember"}
    assert _problem(client.post("/api/v1/users", headers=caller.headers, json=body), 409, "conflict") == (
        "The tenant already has a user TAKEN@example.com (emails are unique per tenant, ignoring case).")
    weak = {**body, "email": "weak@example.com", "password": "password1234"}
    assert _problem(client.post("/api/v1/users", headers=caller.headers, json=weak), 422,
                    "validation-error").startswith("That password is in the list of common passwords")
    bad_email = {**body, "email": "not-an-email"}
    assert _problem(client.post("/api/v1/users", headers=caller.headers, json=bad_email), 422,
                    "validation-error") == ("'not-an-email' is not an email address; use the form "
                                            "name@example.com.")
    assert "users:admin" in _problem(client.get("/api/v1/users", headers=reader.headers), 403,
                                     "insufficient-scope")
    # Another tenant's user does not exist for this key.
    answer = client.patch(f"/api/v1/users/{elsewhere.id}", headers=caller.headers, json={"role": "admin"})
    assert _problem(answer, 404, "not-found") == f"No user {elsewhere.id}."
    with db.connect("owner") as conn:
        assert [u.email for u in users.list_users(conn, tenant.id)] == [taken.email]
        assert users.get_user(conn, elsewhere.id).role == "viewer"
