"""Sign-in material: session tokens, CSRF tokens, throttle subjects, and the limits. No database here.

A session cookie holds a random token; the database keeps only its HMAC under EARMARK_SECRET_KEY (as
for API keys). A CSRF token is an HMAC of a value the browser holds in a cookie (before sign-in: a
random pre-session value; after: the session token), so a page of another site cannot forge it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from functools import lru_cache

from earmark.identity import passwords
from earmark.settings import Settings, get_settings

# After this many failures in WINDOW the account (or the address) is asked to pause; an API key may send
# hundreds of requests a minute, so both limits are far stricter than the API's.
ACCOUNT_FAILURES = 5
ADDRESS_FAILURES = 20
WINDOW = timedelta(minutes=15)
# OWASP ASVS 5.0 level 2 asks for both: an idle limit and an absolute one, after which a user signs in again.
IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=12)


def _hmac(purpose: str, value: str, settings: Settings | None) -> str:
    key = (settings or get_settings()).secret_key.get_secret_value().encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str, settings: Settings | None = None) -> str:
    return _hmac("session", token, settings)


def csrf_token(cookie_value: str, settings: Settings | None = None) -> str:
    return _hmac("csrf", cookie_value, settings)


def csrf_ok(cookie_value: str | None, presented: str | None, settings: Settings | None = None) -> bool:
    if not cookie_value or not presented:
        return False
    return hmac.compare_digest(csrf_token(cookie_value, settings), presented)


def email_subject(email: str, settings: Settings | None = None) -> str:
    return _hmac("signin-email", email.strip().lower(), settings)


def address_subject(address: str, settings: Settings | None = None) -> str:
    return _hmac("signin-address", address, settings)


def address_actor(address: str, settings: Settings | None = None) -> str:
    """A pseudonymous actor for events without a user: the first 16 hex digits of the address's HMAC."""
    return "address:" + address_subject(address, settings)[:16]


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return passwords.hash_password("no such account, never a password")


def verify_any(hashes: list[str], password: str) -> int | None:
    """The index of the first hash the password matches, or None. With no candidate it still verifies
    one (dummy) hash, so an unknown email costs the same time as a wrong password."""
    if not hashes:
        passwords.verify(_dummy_hash(), password)
        return None
    found = None
    for index, stored in enumerate(hashes):  # every candidate, match or not: the same work either way
        if passwords.verify(stored, password) and found is None:
            found = index
    return found
