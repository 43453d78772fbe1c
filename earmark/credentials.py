"""API key material: format, checksum, HMAC and constant-time comparison. No database here.

A key reads `ek_live_<30 random base62><6 base62 CRC32>` (or `ek_test_`): the fixed prefix lets secret
scanners recognise it, the checksum refuses a mistyped key without a database query (GitHub's token
format), and only an HMAC-SHA256 under a server secret that never enters the database is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import zlib
from dataclasses import dataclass
from typing import Literal

from earmark.settings import Settings, get_settings

Mode = Literal["live", "test"]

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
RANDOM_LENGTH = 30  # about 178 bits
CHECKSUM_LENGTH = 6  # 62**6 > 2**32, so every CRC32 fits
LOOKUP_RANDOM_CHARS = 8  # the stored, displayable prefix: ek_live_ + 8 characters

KEY_PATTERN = re.compile(
    rf"^ek_(live|test)_([0-9A-Za-z]{{{RANDOM_LENGTH}}})([0-9A-Za-z]{{{CHECKSUM_LENGTH}}})$"
)
# Anything that looks like one of our keys, for refusing keys sent where they must not be (query strings).
# Also OAuth access and refresh tokens (earmark.identity.oauth): none of them belongs in a URL.
KEY_LOOKALIKE = re.compile(r"ek_(live|test)_[0-9A-Za-z]{8,}|(?<![\w-])e(at|rt)_[0-9A-Za-z_-]{43}(?![\w-])")

# Scopes a tenant key may carry; platform keys (no tenant) carry only tenants:admin.
TENANT_SCOPES = ("attribution:read", "settings:write", "keys:admin", "users:admin", "catalog:write")
PLATFORM_SCOPES = ("tenants:admin",)
DEFAULT_TENANT_SCOPES = ("attribution:read",)


@dataclass(frozen=True)
class NewKey:
    """A key just minted: `secret` is shown once, the rest is what gets stored."""

    secret: str
    prefix: str
    key_hash: str
    mode: Mode


def _base62(number: int, width: int) -> str:
    digits = []
    while number:
        number, rest = divmod(number, 62)
        digits.append(BASE62[rest])
    return "".join(reversed(digits)).rjust(width, "0")


def checksum(body: str) -> str:
    return _base62(zlib.crc32(body.encode("ascii")), CHECKSUM_LENGTH)


def key_hash(secret: str, settings: Settings | None = None) -> str:
    server_secret = (settings or get_settings()).secret_key.get_secret_value().encode()
    return hmac.new(server_secret, secret.encode(), hashlib.sha256).hexdigest()


def generate(mode: Mode = "live", settings: Settings | None = None) -> NewKey:
    random_part = "".join(secrets.choice(BASE62) for _ in range(RANDOM_LENGTH))
    body = f"ek_{mode}_{random_part}"
    secret = body + checksum(body)
    return NewKey(secret=secret, prefix=lookup_prefix(secret), key_hash=key_hash(secret, settings), mode=mode)


def is_well_formed(secret: str) -> bool:
    """Format and checksum only: a typo fails here, before any database query."""
    found = KEY_PATTERN.match(secret)
    if not found:
        return False
    body = secret[: -CHECKSUM_LENGTH]
    return hmac.compare_digest(checksum(body), found.group(3))


def lookup_prefix(secret: str) -> str:
    mode_prefix_length = len("ek_live_")
    return secret[: mode_prefix_length + LOOKUP_RANDOM_CHARS]


def matches(secret: str, stored_hash: str, settings: Settings | None = None) -> bool:
    """Constant-time comparison of a presented key against its stored HMAC."""
    return hmac.compare_digest(key_hash(secret, settings), stored_hash)


def matches_hash(presented_hash: str, stored_hash: str) -> bool:
    """Constant-time comparison when the presented key's HMAC is already computed."""
    return hmac.compare_digest(presented_hash, stored_hash)


def unknown_scopes(scopes: list[str] | tuple[str, ...], allowed: tuple[str, ...]) -> list[str]:
    return [s for s in scopes if s not in allowed]
