"""The OAuth 2.1 token side: single-use codes, refresh rotation with reuse detection, revocation,
introspection, client_credentials, hashes only, odd input, and access tokens the read API accepts."""

from __future__ import annotations

import base64
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
from oauth_flow import (
    INACTIVE,
    PASSWORD,
    REDIRECT,
    events_of,
    exchange,
    get_code,
    introspect,
    pkce,
    refresh,
    sign_in,
    signed_in_tokens,
)

from earmark import db
from earmark.identity import oauth, users


def test_password_grant_and_wrong_secrets_are_refused(browser, setup):
    _, user, client, secret, _ = setup
    password = browser.post(
        "/oauth/token",
        data={"grant_type": "password", "username": user.email, "password": PASSWORD},
        auth=(client.client_id, secret),
    )
    assert password.status_code == 400 and password.json()["error"] == "unsupported_grant_type"
    wrong = browser.post(
        "/oauth/token",
        data={"grant_type": "authorization_code", "code": "x", "code_verifier": "y"},
        auth=(client.client_id, secret + "x"),
    )
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    assert wrong.headers["cache-control"] == "no-store"
    # A grant type the client was not registered for.
    cc = browser.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client.client_id, secret)
    )
    assert cc.status_code == 400 and cc.json()["error"] == "unauthorized_client"


def test_a_code_is_single_use_and_its_reuse_revokes_what_it_gave(browser, setup, make_key):
    tenant, user, client, secret, _ = setup
    sign_in(browser, user.email, PASSWORD)
    verifier, challenge = pkce()
    code = get_code(browser, client.client_id, challenge)
    # A wrong verifier (someone who intercepted the code) fails and spends nothing.
    wrong_verifier = exchange(browser, client, secret, code, pkce()[0])
    assert wrong_verifier.status_code == 400 and wrong_verifier.json()["error"] == "invalid_grant"
    first = exchange(browser, client, secret, code, verifier).json()
    assert introspect(browser, client, secret, first["access_token"])["active"] is True
    second = exchange(browser, client, secret, code, verifier)
    assert second.status_code == 400 and second.json()["error"] == "invalid_grant"
    assert introspect(browser, client, secret, first["access_token"]) == INACTIVE
    assert introspect(browser, client, secret, first["refresh_token"]) == INACTIVE
    assert refresh(browser, client, secret, first["refresh_token"]).json()["error"] == "invalid_grant"
    assert len(events_of(tenant.id, "oauth_code_reuse")) == 1
    # Admins read it at /api/v1/security/events: the client as actor, no code or token in it.
    admin = make_key(tenant, ["users:admin"])
    page = browser.get("/api/v1/security/events", params={"action": "oauth_code_reuse"},
                       headers=admin.headers)
    assert page.status_code == 200
    [event] = page.json()["data"]
    assert event["actor"] == f"client:{client.client_id}" and code not in json.dumps(event)
    assert first["access_token"] not in json.dumps(event)


def test_a_code_is_bound_to_its_redirect_uri_and_client(browser, setup):
    tenant, user, client, secret, _ = setup
    sign_in(browser, user.email, PASSWORD)
    verifier, challenge = pkce()
    code = get_code(browser, client.client_id, challenge)
    moved = exchange(browser, client, secret, code, verifier, redirect_uri=REDIRECT + "/other")
    assert moved.json()["error"] == "invalid_grant"
    with db.connect("owner") as conn:
        other, other_secret = oauth.create_client(conn, tenant.id, "Other", [REDIRECT])
    verifier, challenge = pkce()
    code = get_code(browser, client.client_id, challenge)
    assert exchange(browser, other, other_secret, code, verifier).json()["error"] == "invalid_grant"


def test_an_expired_code_is_refused(browser, setup):
    _, user, client, secret, _ = setup
    sign_in(browser, user.email, PASSWORD)
    verifier, challenge = pkce()
    code = get_code(browser, client.client_id, challenge)
    with db.connect("owner") as conn:
        conn.execute(
            "update app.oauth_codes set expires_at = now() - interval '1 second' where code_hash = %s",
            [oauth.code_hash(code)],
        )
    assert exchange(browser, client, secret, code, verifier).json()["error"] == "invalid_grant"


def test_two_concurrent_exchanges_of_one_code_give_exactly_one_success(browser, setup, live_api):
    tenant, user, client, secret, _ = setup
    verifier, challenge = pkce()
    sign_in(browser, user.email, PASSWORD)
    code = get_code(browser, client.client_id, challenge)
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
    }
    start = threading.Barrier(4)

    def exchange(_):
        with httpx.Client(base_url=live_api) as http:
            start.wait()
            return http.post("/oauth/token", data=data, auth=(client.client_id, secret))

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(exchange, range(4)))
    assert sorted(a.status_code for a in answers) == [200, 400, 400, 400]
    assert all(a.json()["error"] == "invalid_grant" for a in answers if a.status_code == 400)
    # The losers were reuses: the winner's tokens are revoked too.
    winner = next(a for a in answers if a.status_code == 200).json()
    assert introspect(browser, client, secret, winner["access_token"]) == INACTIVE


def test_refresh_rotates_and_a_replayed_refresh_token_ends_the_grant(browser, setup):
    tenant, user, client, secret, _ = setup
    first = signed_in_tokens(browser, user, client, secret)
    second = refresh(browser, client, secret, first["refresh_token"])
    assert second.status_code == 200 and second.headers["cache-control"] == "no-store"
    second = second.json()
    assert (
        second["refresh_token"] != first["refresh_token"] and second["access_token"] != first["access_token"]
    )
    third = refresh(browser, client, secret, second["refresh_token"]).json()
    assert introspect(browser, client, secret, third["access_token"])["active"] is True

    replay = refresh(browser, client, secret, first["refresh_token"])
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    for token in (
        first["access_token"],
        second["access_token"],
        third["access_token"],
        third["refresh_token"],
    ):
        assert introspect(browser, client, secret, token) == INACTIVE
    assert refresh(browser, client, secret, third["refresh_token"]).json()["error"] == "invalid_grant"
    read = browser.get("/api/v1/settings", headers={"Authorization": f"Bearer {third['access_token']}"})
    assert read.status_code == 401
    assert len(events_of(tenant.id, "oauth_refresh_reuse")) == 1
    with db.connect("owner") as conn:
        assert conn.execute(
            "select revoked_reason from app.oauth_grants where tenant_id = %s", [tenant.id]
        ).fetchall() == [("refresh_reuse",)]


def test_refresh_tokens_end_with_their_grants_absolute_lifetime(browser, setup):
    tenant, user, client, secret, _ = setup
    first = signed_in_tokens(browser, user, client, secret)
    with db.connect("owner") as conn:
        lifetime = conn.execute(
            "select expires_at - created_at from app.oauth_grants where tenant_id = %s", [tenant.id]
        ).fetchone()[0]
        conn.execute(
            "update app.oauth_tokens set expires_at = now() - interval '1 second' "
            "where tenant_id = %s and kind = 'refresh'",
            [tenant.id],
        )
    assert lifetime.days == 30
    assert refresh(browser, client, secret, first["refresh_token"]).json()["error"] == "invalid_grant"


def test_revocation_answers_200_and_a_revoked_refresh_token_ends_its_grant(browser, setup):
    _, user, client, secret, public = setup
    assert (
        browser.post(
            "/oauth/revoke", data={"token": "ert_nothing-like-it"}, auth=(client.client_id, secret)
        ).status_code
        == 200
    )
    first = signed_in_tokens(browser, user, client, secret)
    revoked = browser.post(
        "/oauth/revoke",
        data={"token": first["refresh_token"], "token_type_hint": "refresh_token"},
        auth=(client.client_id, secret),
    )
    assert revoked.status_code == 200
    assert introspect(browser, client, secret, first["access_token"]) == INACTIVE
    # A public client exchanges with PKCE alone and may revoke its own token by naming itself.
    verifier, challenge = pkce()
    code = get_code(browser, public.client_id, challenge)
    tokens = exchange(browser, public, None, code, verifier).json()
    assert tokens["access_token"].startswith("eat_")
    assert (
        browser.post(
            "/oauth/revoke", data={"token": tokens["access_token"], "client_id": public.client_id}
        ).status_code
        == 200
    )
    read = browser.get("/api/v1/settings", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert read.status_code == 401


def test_introspection_needs_client_authentication(browser, setup):
    _, _, client, secret, public = setup
    anonymous = browser.post("/oauth/introspect", data={"token": "eat_whatever"})
    assert anonymous.status_code == 401 and anonymous.json()["error"] == "invalid_client"
    as_public = browser.post(
        "/oauth/introspect", data={"token": "eat_whatever", "client_id": public.client_id}
    )
    assert as_public.status_code == 401
    assert introspect(browser, client, secret, "eat_" + "u" * 43) == INACTIVE


def test_client_credentials_gives_a_token_without_a_user_and_only_registered_scopes(browser, make_tenant):
    tenant = make_tenant()
    with db.connect("owner") as conn:
        client, secret = oauth.create_client(
            conn,
            tenant.id,
            "Back end",
            [REDIRECT],
            scopes=["attribution:read"],
            grant_types=["client_credentials"],
        )
    got = browser.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client.client_id, secret)
    )
    assert got.status_code == 200 and "refresh_token" not in got.json()
    seen = introspect(browser, client, secret, got.json()["access_token"])
    assert seen["active"] is True and "sub" not in seen and seen["scope"] == "attribution:read"
    wider = browser.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "scope": "keys:admin"},
        auth=(client.client_id, secret),
    )
    assert wider.status_code == 400 and wider.json()["error"] == "invalid_scope"
    code = browser.post(
        "/oauth/token",
        data={"grant_type": "authorization_code", "code": "x"},
        auth=(client.client_id, secret),
    )
    assert code.json()["error"] == "unauthorized_client"


def test_codes_and_tokens_are_stored_only_as_hashes(browser, setup):
    tenant, user, client, secret, _ = setup
    sign_in(browser, user.email, PASSWORD)
    verifier, challenge = pkce()
    code = get_code(browser, client.client_id, challenge)
    tokens = exchange(browser, client, secret, code, verifier).json()
    refreshed = refresh(browser, client, secret, tokens["refresh_token"]).json()
    plaintexts = [
        code,
        secret,
        tokens["access_token"],
        tokens["refresh_token"],
        refreshed["access_token"],
        refreshed["refresh_token"],
    ]
    with db.connect("owner") as conn:  # every table of the app schema, as text
        tables = [
            row[0]
            for row in conn.execute(
                "select format('%I.%I', schemaname, tablename) from pg_tables where schemaname = 'app'"
            )
        ]
        dump = "\n".join(row[0] for table in tables for row in conn.execute(f"select t::text from {table} t"))
    assert oauth.token_hash(tokens["access_token"]) in dump and oauth.code_hash(code) in dump
    for plaintext in plaintexts:
        assert plaintext not in dump
        assert plaintext[4:] not in dump  # nor without its prefix (eat_, ert_, ecs_)


def test_odd_client_credentials_and_repeated_parameters_are_oauth_errors_not_500s(browser, setup):
    _, _, client, secret, _ = setup
    for header in ("Basic /w==", "Basic !!!", "Basic " + base64.b64encode(b"ec_x%00:y").decode()):
        answer = browser.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, headers={"Authorization": header}
        )
        assert answer.status_code == 401 and answer.json()["error"] == "invalid_client", header
    nul = browser.post(
        "/oauth/token", data={"grant_type": "authorization_code", "client_id": "ec_\x00x", "code": "x"}
    )
    # A NUL is refused like every string the API takes (api.types.text): a 422 naming the field.
    assert nul.status_code == 422 and ["body", "client_id"] in [e["loc"][:2] for e in nul.json()["errors"]]
    repeated = browser.post(
        "/oauth/token",
        content="grant_type=client_credentials&scope=a&scope=b",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        auth=(client.client_id, secret),
    )
    assert repeated.status_code == 400 and "'scope' is repeated" in repeated.json()["error_description"]
    unknown = browser.post(
        "/oauth/token", data={"grant_type": "client_credentials", "client_id": "nope", "client_secret": "x"}
    )
    assert unknown.status_code == 401 and unknown.json()["error"] == "invalid_client"


def test_a_wider_refresh_is_refused_without_spending_the_token(browser, setup):
    _, user, client, secret, _ = setup
    first = signed_in_tokens(browser, user, client, secret)
    wider = browser.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": first["refresh_token"],
            "scope": "attribution:read keys:admin",
        },
        auth=(client.client_id, secret),
    )
    assert wider.status_code == 400 and wider.json()["error"] == "invalid_scope"
    again = refresh(browser, client, secret, first["refresh_token"])
    assert (
        again.status_code == 200
        and introspect(browser, client, secret, again.json()["access_token"])["active"]
    )


def test_a_disabled_users_tokens_are_inactive_everywhere(browser, setup):
    tenant, user, client, secret, _ = setup
    tokens = signed_in_tokens(browser, user, client, secret)
    with db.connect("owner") as conn:
        users.update_user(conn, user, status="disabled")
    assert introspect(browser, client, secret, tokens["access_token"]) == INACTIVE
    assert introspect(browser, client, secret, tokens["refresh_token"]) == INACTIVE
    assert (
        browser.get(
            "/api/v1/settings", headers={"Authorization": f"Bearer {tokens['access_token']}"}
        ).status_code
        == 401
    )
    assert refresh(browser, client, secret, tokens["refresh_token"]).json()["error"] == "invalid_grant"


def test_client_credentials_also_authenticate_in_the_form(browser, make_tenant):
    tenant = make_tenant()
    with db.connect("owner") as conn:
        client, secret = oauth.create_client(
            conn, tenant.id, "Back end", [REDIRECT], grant_types=["client_credentials"]
        )
    got = browser.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client.client_id, "client_secret": secret},
    )
    assert got.status_code == 200 and got.json()["scope"] == "attribution:read"
