"""Helpers for the OAuth tests: a signed-in browser, PKCE pairs, a code from the consent page."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from urllib.parse import parse_qs, urlsplit

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
