"""TOTP (RFC 6238) material: secrets sealed at rest, code checks, recovery codes. No database here.

The secret is sealed with AES-GCM under a key derived from EARMARK_MFA_KEY (or, when that is unset,
from EARMARK_SECRET_KEY with HKDF under its own label), so a copy of the database alone cannot produce
codes. The user id is the associated data: a sealed secret copied to another user's row fails to open.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime
from uuid import UUID

import pyotp
from cryptography.exceptions import InvalidTag
from pyotp.exceptions import OTPVerificationError

from earmark import sealing
from earmark.errors import EarmarkError
from earmark.settings import Settings, get_settings

ISSUER = "Earmark"
STEP_SECONDS = 30
# The previous, current and next 30 s step: a phone a little slow or fast still signs in.
VALID_WINDOW = 1
RECOVERY_CODES = 10
CODE_SHAPE = re.compile(r"[0-9]{6}")
# Ten lower-case base32 characters in two groups, 50 bits each: too many to guess in 20 tries a day.
RECOVERY_SHAPE = re.compile(r"[a-z2-7]{5}-?[a-z2-7]{5}")


class SealError(EarmarkError):
    """A sealed secret that does not open: wrong key, or a row that belongs to another user."""


def _key(settings: Settings | None) -> bytes:
    settings = settings or get_settings()
    return sealing.derive_key(settings.mfa_key or settings.secret_key, b"earmark totp secret v1")


def _aad(user_id: UUID | str) -> bytes:
    return f"earmark-totp:{UUID(str(user_id))}".encode()


def new_secret() -> str:
    return pyotp.random_base32(length=32)  # 160 bits, as RFC 4226 recommends


def seal(secret: str, user_id: UUID | str, settings: Settings | None = None) -> bytes:
    return sealing.seal(_key(settings), secret, _aad(user_id))


def open_sealed(sealed: bytes, user_id: UUID | str, settings: Settings | None = None) -> str:
    try:
        return sealing.open_sealed(_key(settings), sealed, _aad(user_id))
    except InvalidTag:
        raise SealError("This MFA secret does not open for this user (wrong key or a moved row).") from None


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def is_code_shaped(code: str) -> bool:
    """Exactly six ASCII digits: anything else is refused before any HMAC work."""
    return CODE_SHAPE.fullmatch(code) is not None


def matching_step(secret: str, code: str, at: datetime | None = None) -> int | None:
    """The time step (RFC 6238 counter) whose code this is, within VALID_WINDOW of `at`, or None."""
    if not is_code_shaped(code):
        return None
    at = at or datetime.now(UTC)
    try:
        return pyotp.TOTP(secret).verify_and_get_timecode(code, for_time=at, valid_window=VALID_WINDOW)
    except OTPVerificationError:
        return None


def code_at(secret: str, at: datetime) -> str:
    return pyotp.TOTP(secret).at(at)


def new_recovery_codes() -> list[str]:
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(alphabet) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def is_recovery_shaped(code: str) -> bool:
    return RECOVERY_SHAPE.fullmatch(code.strip().lower()) is not None


def recovery_hash(code: str, settings: Settings | None = None) -> str:
    """An HMAC of the code without its dash, so `abcde-fghij` and `abcdefghij` are the same code."""
    key = (settings or get_settings()).secret_key.get_secret_value().encode()
    normal = code.strip().lower().replace("-", "")
    return hmac.new(key, f"recovery:{normal}".encode(), hashlib.sha256).hexdigest()
