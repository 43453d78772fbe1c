"""Helpers for the OAuth tests: sign-in, PKCE pairs, a code from the consent page, the token endpoints."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from urllib.parse import parse_qs, urlsplit

from earmark import db

REDIRECT = "https://dash.example.com/callback"


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def csrf(page) -> str:
    return re.search(r'name="csrf_token" value="([0-9a-f]{64})"', page.text).group(1)


def sign_in(browser, email: str, password: str, next_path: str = "/account"):
    form = browser.get("/login", params={"next": next_path})
    return browser.post(
        "/login", data={"email": email, "password": password, "csrf_token": csrf(form), "next": next_path}
    )


def authorize_params(client_id: str, challenge: str, **extra) -> dict:
    return {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT,
        "scope": "attribution:read",
        "state": "st-123",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }


def query_of(location: str) -> dict:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def get_code(browser, client_id: str, challenge: str, **extra) -> str:
    """Through the consent page (allowing) if it is shown, to the redirect's code."""
    answer = browser.get("/oauth/authorize", params=authorize_params(client_id, challenge, **extra))
    if answer.status_code == 200:  # the consent page
        action = (
            re.search(r'<form method="post" action="([^"]+)"', answer.text).group(1).replace("&amp;", "&")
        )
        answer = browser.post(action, data={"decision": "allow", "csrf_token": csrf(answer)})
    assert answer.status_code in (302, 303), answer.text
    location = answer.headers["location"]
    assert location.startswith(REDIRECT + "?"), location
    return query_of(location)["code"]


PASSWORD = "a long and private passphrase"
INACTIVE = {"active": False}


def exchange(browser, client, secret, code, verifier, **extra):
    """The token request for a code (a public client names itself instead of a secret)."""
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
            "code_verifier": verifier, **extra}
    if not secret:
        data["client_id"] = client.client_id
    return browser.post("/oauth/token", data=data, auth=(client.client_id, secret) if secret else None)


def signed_in_tokens(browser, user, client, secret) -> dict:
    """Sign the user in, get a code through consent, and exchange it: the token response."""
    sign_in(browser, user.email, PASSWORD)
    verifier, challenge = pkce()
    return exchange(browser, client, secret, get_code(browser, client.client_id, challenge), verifier).json()


def introspect(browser, client, secret, token) -> dict:
    answer = browser.post("/oauth/introspect", data={"token": token}, auth=(client.client_id, secret))
    assert answer.status_code == 200, answer.text
    return answer.json()


def refresh(browser, client, secret, refresh_token):
    return browser.post("/oauth/token", data={"grant_type": "refresh_token", "refresh_token": refresh_token},
                        auth=(client.client_id, secret))


def events_of(tenant_id, action) -> list[tuple]:
    with db.connect("owner") as conn:
        return conn.execute("select actor, details from app.security_events "
                            "where tenant_id = %s and action = %s", [tenant_id, action]).fetchall()
