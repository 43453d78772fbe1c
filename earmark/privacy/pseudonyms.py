"""Keyed pseudonyms: what Earmark keeps instead of an email address, and how a data subject is named.

An email is joined on (a shop sends it as the customer's user id) but never needed in clear, so ingestion
keeps `email:<HMAC>` in its place; the same function turns an email given in a data-subject request into
the value to look for. The key is derived from the server's secret under its own label: it is not in the
database, so a copy of the database cannot test guesses. IP addresses have their own keys
(earmark.downloads.addresses).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from functools import cache

from earmark import sealing
from earmark.settings import Settings, get_settings

EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
EMAIL_PREFIX = "email:"
_LABEL = b"earmark pseudonyms v1"
_SUBJECT_LABEL = b"earmark privacy subjects v1"


@cache
def _key(secret: str, label: bytes) -> bytes:
    from pydantic import SecretStr
    return sealing.derive_key(SecretStr(secret), label)


def _secret(settings: Settings | None) -> str:
    return (settings or get_settings()).secret_key.get_secret_value()


def looks_like_email(value: str) -> bool:
    return bool(EMAIL.match(value))


def email_pseudonym(email: str, settings: Settings | None = None) -> str:
    """`email:` and 32 hex digits of HMAC-SHA256 of the trimmed, lower-cased address."""
    digest = hmac.new(_key(_secret(settings), _LABEL), email.strip().lower().encode(), hashlib.sha256)
    return EMAIL_PREFIX + digest.hexdigest()[:32]


def user_key(user_id: str, settings: Settings | None = None) -> str:
    """How Earmark stores a user id: an email becomes its pseudonym, anything else stays as sent."""
    return email_pseudonym(user_id, settings) if looks_like_email(user_id.strip()) else user_id


def subject_key(user_id: str, settings: Settings | None = None) -> str:
    """The pseudonym a data-subject request keeps of its subject after completion (proof, not a lookup)."""
    return hmac.new(_key(_secret(settings), _SUBJECT_LABEL), user_id.encode(), hashlib.sha256).hexdigest()


def subject_seal_key(settings: Settings | None = None) -> bytes:
    return _key(_secret(settings), _SUBJECT_LABEL + b" seal")
