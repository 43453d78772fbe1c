"""The OAuth 2.1 authorization server: PKCE S256 only, exact redirect URIs, sign-in and consent, single-use
codes, refresh rotation with reuse detection, revocation, introspection, client_credentials, hashes only,
and access tokens the read API accepts in the tenant's transaction."""

from __future__ import annotations

import base64
import json
import re
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi.testclient import TestClient
from oauth_flow import REDIRECT, authorize_params, csrf, get_code, pkce, query_of, sign_in

from api.main import create_app
from api.settings import ApiSettings
from earmark import db
from earmark.identity import oauth, users

PASSWORD = "a long and private passphrase"
INACTIVE = {"active": False}


@pytest.fixture
def browser(database):
    with TestClient(
        create_app(api_settings=ApiSettings()),
        base_url="https://testserver",
        raise_server_exceptions=False,
        follow_redirects=False,
    ) as client:
        yield client


@pytest.fixture
def setup(make_tenant):
    """A tenant with an analyst and two clients: a confidential dashboard and a public single-page app."""
    tenant = make_tenant()
    with db.connect("owner") as conn:
        user = users.create_user(
            conn, tenant.id, f"ana-{uuid.uuid4().hex[:8]}@example.com", "analyst", PASSWORD
        )
        confidential, secret = oauth.create_client(
            conn, tenant.id, "Dashboard", [REDIRECT], grant_types=["authorization_code", "refresh_token"]
        )
        public, _ = oauth.create_client(
            conn, tenant.id, "Single-page app", [REDIRECT, REDIRECT + "2"], public=True
        )
    return tenant, user, confidential, secret, public


def _exchange(browser, client, secret, code, verifier, **extra):
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
        **extra,
    }
    auth = (client.client_id, secret) if secret else None
    if not secret:
        data["client_id"] = client.client_id
    return browser.post("/oauth/token", data=data, auth=auth)


def _introspect(browser, client, secret, token):
    answer = browser.post("/oauth/introspect", data={"token": token}, auth=(client.client_id, secret))
    assert answer.status_code == 200, answer.text
    return answer.json()


def _refresh(browser, client, secret, refresh_token):
    return browser.post(
        "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": refresh_token},
        auth=(client.client_id, secret),
    )


def _events(tenant_id, action):
    with db.connect("owner") as conn:
        return conn.execute(
            "select actor, details from app.security_events where tenant_id = %s and action = %s",
            [tenant_id, action],
        ).fetchall()


def test_metadata_names_the_issuer_and_only_s256(browser):
    meta = browser.get("/.well-known/oauth-authorization-server").json()
    assert meta["issuer"] == "https://testserver"
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["token_endpoint"] == "https://testserver/oauth/token"
    assert meta["response_types_supported"] == ["code"]
    assert "password" not in meta["grant_types_supported"] and "implicit" not in meta["grant_types_supported"]


def test_signed_out_user_signs_in_consents_once_and_the_token_reads_the_api(browser, setup):
    tenant, user, client, secret, _ = setup
    verifier, challenge = pkce()
    params = authorize_params(client.client_id, challenge)
    first = browser.get("/oauth/authorize", params=params)
    assert first.status_code == 303 and first.headers["location"].startswith(
        "/login?next=%2Foauth%2Fauthorize%3F"
    )
    signed = sign_in(browser, user.email, PASSWORD, next_path=first.headers["location"].split("next=")[1])
    consent = browser.get("/oauth/authorize", params=params)
    assert consent.status_code == 200 and "Dashboard" in consent.text and "attribution:read" in consent.text
    assert 'name="decision" value="allow"' in consent.text and 'name="decision" value="deny"' in consent.text
    assert signed.status_code == 303
    action = re.search(r'action="([^"]+)"', consent.text.split("<form")[1]).group(1).replace("&amp;", "&")
    allowed = browser.post(action, data={"decision": "allow", "csrf_token": csrf(consent)})
    assert allowed.status_code == 303
    back = query_of(allowed.headers["location"])
    assert allowed.headers["location"].startswith(REDIRECT + "?")
    assert back["state"] == "st-123" and back["iss"] == "https://testserver"
    assert [row[1]["scopes"] for row in _events(tenant.id, "oauth_consent_granted")] == [["attribution:read"]]

    tokens = _exchange(browser, client, secret, back["code"], verifier)
    assert tokens.status_code == 200, tokens.text
    assert tokens.headers["cache-control"] == "no-store"
    body = tokens.json()
    assert (body["token_type"], body["expires_in"], body["scope"]) == ("Bearer", 600, "attribution:read")
    assert body["access_token"].startswith("eat_") and body["refresh_token"].startswith("ert_")
    read = browser.get("/api/v1/settings", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert read.status_code == 200 and read.json()["lookback_days"] == 30
    # An analyst's token reads; it cannot change settings (the role has no settings:write).
    change = browser.patch(
        "/api/v1/settings",
        json={"lookback_days": 9},
        headers={"Authorization": f"Bearer {body['access_token']}"},
    )
    assert change.status_code == 403
    seen = _introspect(browser, client, secret, body["access_token"])
    assert seen["active"] is True and seen["sub"] == str(user.id) and seen["client_id"] == client.client_id
    assert seen["aud"] == "https://testserver/api/v1" and seen["tenant_id"] == str(tenant.id)

    # The second time, no consent page: straight back with a code.
    again = browser.get("/oauth/authorize", params=authorize_params(client.client_id, pkce()[1]))
    assert again.status_code == 302 and "code=" in again.headers["location"]


def test_deny_redirects_with_access_denied(browser, setup):
    tenant, user, client, _, _ = setup
    sign_in(browser, user.email, PASSWORD)
    consent = browser.get("/oauth/authorize", params=authorize_params(client.client_id, pkce()[1]))
    action = re.search(r'action="([^"]+)"', consent.text.split("<form")[1]).group(1).replace("&amp;", "&")
    denied = browser.post(action, data={"decision": "deny", "csrf_token": csrf(consent)})
    assert denied.status_code == 303
    back = query_of(denied.headers["location"])
    assert (back["error"], back["state"]) == ("access_denied", "st-123") and "code" not in back
    assert len(_events(tenant.id, "oauth_consent_denied")) == 1


@pytest.mark.parametrize(
    "change, error",
    [
        ({"code_challenge": None, "code_challenge_method": None}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge_method": None}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "attribution:read keys:admin"}, "invalid_scope"),
    ],
)
def test_refused_authorization_requests_go_back_with_an_error(browser, setup, change, error):
    _, user, client, _, _ = setup
    sign_in(browser, user.email, PASSWORD)
    params = {
        k: v for k, v in {**authorize_params(client.client_id, pkce()[1]), **change}.items() if v is not None
    }
    answer = browser.get("/oauth/authorize", params=params)
    assert answer.status_code in (302, 303)
    back = query_of(answer.headers["location"])
    assert answer.headers["location"].startswith(REDIRECT + "?")
    assert back["error"] == error and "code" not in back and "access_token" not in answer.headers["location"]


@pytest.mark.parametrize(
    "redirect_uri", [REDIRECT + "/", REDIRECT.upper(), REDIRECT + "?x=1", "https://evil.example/cb"]
)
def test_a_redirect_uri_not_registered_byte_for_byte_is_an_error_page_never_a_redirect(
    browser, setup, redirect_uri
):
    _, _, client, _, public = setup
    for who in (client, public):
        answer = browser.get(
            "/oauth/authorize", params=authorize_params(who.client_id, pkce()[1], redirect_uri=redirect_uri)
        )
        assert answer.status_code == 400 and "location" not in answer.headers
        assert answer.headers["content-type"].startswith("text/html")
    # With several registered, the request must name one.
    params = authorize_params(public.client_id, pkce()[1])
    del params["redirect_uri"]
    assert browser.get("/oauth/authorize", params=params).status_code == 400
    unknown = browser.get("/oauth/authorize", params=authorize_params("ec_" + "x" * 22, pkce()[1]))
    assert unknown.status_code == 400 and "location" not in unknown.headers


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
    wrong_verifier = _exchange(browser, client, secret, code, pkce()[0])
    assert wrong_verifier.status_code == 400 and wrong_verifier.json()["error"] == "invalid_grant"
    first = _exchange(browser, client, secret, code, verifier).json()
    assert _introspect(browser, client, secret, first["access_token"])["active"] is True
    second = _exchange(browser, client, secret, code, verifier)
    assert second.status_code == 400 and second.json()["error"] == "invalid_grant"
    assert _introspect(browser, client, secret, first["access_token"]) == INACTIVE
    assert _introspect(browser, client, secret, first["refresh_token"]) == INACTIVE
    assert _refresh(browser, client, secret, first["refresh_token"]).json()["error"] == "invalid_grant"
    assert len(_events(tenant.id, "oauth_code_reuse")) == 1
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
    moved = _exchange(browser, client, secret, code, verifier, redirect_uri=REDIRECT + "/other")
    assert moved.json()["error"] == "invalid_grant"
    with db.connect("owner") as conn:
        other, other_secret = oauth.create_client(conn, tenant.id, "Other", [REDIRECT])
    verifier, challenge = pkce()
    code = get_code(browser, client.client_id, challenge)
    assert _exchange(browser, other, other_secret, code, verifier).json()["error"] == "invalid_grant"


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
    assert _exchange(browser, client, secret, code, verifier).json()["error"] == "invalid_grant"


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
    assert _introspect(browser, client, secret, winner["access_token"]) == INACTIVE


def test_refresh_rotates_and_a_replayed_refresh_token_ends_the_grant(browser, setup):
    tenant, user, client, secret, _ = setup
    sign_in(browser, user.email, PASSWORD)
    verifier, challenge = pkce()
    first = _exchange(
        browser, client, secret, get_code(browser, client.client_id, challenge), verifier
    ).json()
    second = _refresh(browser, client, secret, first["refresh_token"])
    assert second.status_code == 200 and second.headers["cache-control"] == "no-store"
    second = second.json()
    assert (
        second["refresh_token"] != first["refresh_token"] and second["access_token"] != first["access_token"]
    )
    third = _refresh(browser, client, secret, second["refresh_token"]).json()
    assert _introspect(browser, client, secret, third["access_token"])["active"] is True

    replay = _refresh(browser, client, secret, first["refresh_token"])
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    for token in (
        first["access_token"],
        second["access_token"],
        third["access_token"],
        third["refresh_token"],
    ):
        assert _introspect(browser, client, secret, token) == INACTIVE
    assert _refresh(browser, client, secret, third["refresh_token"]).json()["error"] == "invalid_grant"
    read = browser.get("/api/v1/settings", headers={"Authorization": f"Bearer {third['access_token']}"})
    assert read.status_code == 401
    assert len(_events(tenant.id, "oauth_refresh_reuse")) == 1
    with db.connect("owner") as conn:
        assert conn.execute(
            "select revoked_reason from app.oauth_grants where tenant_id = %s", [tenant.id]
        ).fetchall() == [("refresh_reuse",)]


def test_refresh_tokens_end_with_their_grants_absolute_lifetime(browser, setup):
    tenant, user, client, secret, _ = setup
    sign_in(browser, user.email, PASSWORD)
    verifier, challenge = pkce()
    first = _exchange(
        browser, client, secret, get_code(browser, client.client_id, challenge), verifier
    ).json()
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
    assert _refresh(browser, client, secret, first["refresh_token"]).json()["error"] == "invalid_grant"


def test_revocation_answers_200_and_a_revoked_refresh_token_ends_its_grant(browser, setup):
    _, user, client, secret, public = setup
    assert (
        browser.post(
            "/oauth/revoke", data={"token": "ert_nothing-like-it"}, auth=(client.client_id, secret)
        ).status_code
        == 200
    )
    sign_in(browser, user.email, PASSWORD)
    verifier, challenge = pkce()
    first = _exchange(
        browser, client, secret, get_code(browser, client.client_id, challenge), verifier
    ).json()
    revoked = browser.post(
        "/oauth/revoke",
        data={"token": first["refresh_token"], "token_type_hint": "refresh_token"},
        auth=(client.client_id, secret),
    )
    assert revoked.status_code == 200
    assert _introspect(browser, client, secret, first["access_token"]) == INACTIVE
    # A public client exchanges with PKCE alone and may revoke its own token by naming itself.
    verifier, challenge = pkce()
    code = get_code(browser, public.client_id, challenge)
    tokens = _exchange(browser, public, None, code, verifier).json()
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
    assert _introspect(browser, client, secret, "eat_" + "u" * 43) == INACTIVE


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
    seen = _introspect(browser, client, secret, got.json()["access_token"])
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
    tokens = _exchange(browser, client, secret, code, verifier).json()
    refreshed = _refresh(browser, client, secret, tokens["refresh_token"]).json()
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


def test_the_client_cli_prints_the_secret_once_as_json(earmark_env, make_tenant):
    import json
    import subprocess
    import sys
    from pathlib import Path

    tenant = make_tenant()
    earmark = str(Path(sys.executable).parent / "earmark")
    done = subprocess.run(
        [
            earmark,
            "oauth",
            "clients",
            "create",
            "--tenant",
            str(tenant.id),
            "--name",
            "Dash",
            "--redirect-uri",
            REDIRECT,
            "--redirect-uri",
            REDIRECT + "2",
            "--scopes",
            "attribution:read,catalog:write",
            "--grant-types",
            "authorization_code,refresh_token,client_credentials",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=earmark_env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    made = json.loads(done.stdout)
    assert made["client_id"].startswith("ec_") and made["client_secret"].startswith("ecs_")
    with db.connect("owner") as conn:
        row = conn.execute(
            "select secret_hash, redirect_uris, scopes, grant_types from app.oauth_clients "
            "where client_id = %s",
            [made["client_id"]],
        ).fetchone()
    assert row == (
        oauth.secret_hash(made["client_secret"]),
        [REDIRECT, REDIRECT + "2"],
        ["attribution:read", "catalog:write"],
        ["authorization_code", "refresh_token", "client_credentials"],
    )
    public = subprocess.run(
        [
            earmark,
            "oauth",
            "clients",
            "create",
            "--tenant",
            str(tenant.id),
            "--name",
            "SPA",
            "--redirect-uri",
            REDIRECT,
            "--public",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=earmark_env,
        timeout=120,
    )
    assert set(json.loads(public.stdout)) == {"client_id"}
    refused = subprocess.run(
        [
            earmark,
            "oauth",
            "clients",
            "create",
            "--tenant",
            str(tenant.id),
            "--name",
            "X",
            "--redirect-uri",
            "http://example.com/cb",
        ],
        capture_output=True,
        text=True,
        env=earmark_env,
        timeout=120,
    )
    assert refused.returncode == 1 and "uses http; use https" in refused.stderr


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
    sign_in(browser, user.email, PASSWORD)
    verifier, challenge = pkce()
    first = _exchange(
        browser, client, secret, get_code(browser, client.client_id, challenge), verifier
    ).json()
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
    again = _refresh(browser, client, secret, first["refresh_token"])
    assert (
        again.status_code == 200
        and _introspect(browser, client, secret, again.json()["access_token"])["active"]
    )


def test_a_disabled_users_tokens_are_inactive_everywhere(browser, setup):
    tenant, user, client, secret, _ = setup
    sign_in(browser, user.email, PASSWORD)
    verifier, challenge = pkce()
    tokens = _exchange(
        browser, client, secret, get_code(browser, client.client_id, challenge), verifier
    ).json()
    with db.connect("owner") as conn:
        users.update_user(conn, user, status="disabled")
    assert _introspect(browser, client, secret, tokens["access_token"]) == INACTIVE
    assert _introspect(browser, client, secret, tokens["refresh_token"]) == INACTIVE
    assert (
        browser.get(
            "/api/v1/settings", headers={"Authorization": f"Bearer {tokens['access_token']}"}
        ).status_code
        == 401
    )
    assert _refresh(browser, client, secret, tokens["refresh_token"]).json()["error"] == "invalid_grant"


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


def test_the_consent_page_cannot_be_framed(browser, setup):
    _, user, client, _, _ = setup
    sign_in(browser, user.email, PASSWORD)
    consent = browser.get("/oauth/authorize", params=authorize_params(client.client_id, pkce()[1]))
    assert consent.status_code == 200
    assert consent.headers["content-security-policy"] == "frame-ancestors 'none'"
    assert consent.headers["x-frame-options"] == "DENY"
