"""Password rules and argon2id hashing (argon2-cffi, RFC 9106's parameters).

The rules follow NIST SP 800-63B: at least 12 characters, no composition rules, and never one of the
common passwords in common_passwords.txt (case ignored). A password is counted and compared after
Unicode NFKC normalisation, so the same password typed on two keyboards hashes alike.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from importlib.resources import files

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from earmark.errors import EarmarkError

MIN_LENGTH = 12
# argon2 itself takes any length; a cap keeps one request from hashing megabytes.
MAX_LENGTH = 1024
# argon2-cffi's defaults are RFC 9106's second recommended profile (argon2id, t=3, m=64 MiB, p=4).
_HASHER = PasswordHasher()


class PasswordRefused(EarmarkError, ValueError):
    """A password the rules refuse; the message says which rule and what to do."""


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = (files("earmark.identity") / "common_passwords.txt").read_text("utf-8")
    return frozenset(line.casefold() for line in text.splitlines() if line and not line.startswith("#"))


def normalise(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def check(password: str) -> str:
    """The normalised password, or PasswordRefused with one sentence."""
    password = normalise(password)
    if len(password) < MIN_LENGTH:
        raise PasswordRefused(f"A password needs at least {MIN_LENGTH} characters; this one has "
                              f"{len(password)}. A few unrelated words make a long one easy to remember.")
    if len(password) > MAX_LENGTH:
        raise PasswordRefused(f"A password may have at most {MAX_LENGTH} characters.")
    if password.casefold() in common_passwords():
        raise PasswordRefused("That password is in the list of common passwords attackers try first; "
                              "choose another.")
    return password


def hash_password(password: str) -> str:
    """argon2id PHC string of a password that passed check()."""
    return _HASHER.hash(check(password))


def verify(stored_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored_hash, normalise(password))
    except (VerificationError, InvalidHashError):
        return False
