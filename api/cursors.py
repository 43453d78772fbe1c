"""Opaque page cursors: where the last page ended, signed, so a cursor is never a query's input unchecked.

A cursor carries the keyset position (for conversions: converted_at, conversion_event_id; for a catalog
listing: its key), the listing and the tenant it was issued to, under an HMAC keyed from
EARMARK_SECRET_KEY. A forged, truncated or other tenant's cursor fails the
check and is a 422 naming the parameter; nothing of it reaches Postgres. Clients treat it as a string.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from datetime import datetime
from uuid import UUID

from api.problems import Problem
from earmark.settings import Settings

_PURPOSE = b"earmark/page-cursor/v1"
_SIGNATURE_BYTES = 16


def _key(settings: Settings) -> bytes:
    # A key of its own, derived from the server secret, so a cursor's MAC is never an API-key hash.
    return hmac.new(settings.secret_key.get_secret_value().encode(), _PURPOSE, hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def seal(settings: Settings, tenant_id: UUID, kind: str, values: list) -> str:
    """A cursor for the keyset position `values` (JSON values) in the listing `kind`, for this tenant."""
    payload = json.dumps([str(tenant_id), kind, *values], separators=(",", ":"),
                         ensure_ascii=True).encode("ascii")
    body = _b64(payload)
    signature = hmac.new(_key(settings), body.encode("ascii"), hashlib.sha256).digest()[:_SIGNATURE_BYTES]
    return f"{body}.{_b64(signature)}"


def unseal(settings: Settings, tenant_id: UUID, kind: str, cursor: str, size: int,
           parameter: str = "starting_after") -> list:
    """The `size` position values of a cursor this API issued to this tenant for `kind`, or a 422."""
    body, _, signature = cursor.partition(".")
    try:
        expected = hmac.new(_key(settings), body.encode("ascii"), hashlib.sha256).digest()[:_SIGNATURE_BYTES]
        if not hmac.compare_digest(expected, _unb64(signature)):
            raise ValueError("bad signature")
        issued_to, issued_for, *values = json.loads(_unb64(body))
        if issued_to != str(tenant_id) or issued_for != kind or len(values) != size:
            raise ValueError("another tenant's or another listing's cursor")
        # only a forger with the server secret gets past the signature with anything but strings
        if not all(isinstance(v, str) and "\x00" not in v for v in values):
            raise ValueError("not a position")
        return values
    except (ValueError, TypeError, UnicodeEncodeError, binascii.Error):
        raise _invalid(parameter) from None


def _invalid(parameter: str) -> Problem:
    return Problem(422, "validation-error",
                   f"query.{parameter}: not a cursor this API issued; pass the next_cursor of the "
                   "previous page, or leave it out for the first page.",
                   errors=[{"loc": ["query", parameter], "msg": "not a cursor this API issued",
                            "type": "cursor_invalid"}])


def encode(settings: Settings, tenant_id: UUID, converted_at: datetime, conversion_event_id: str) -> str:
    return seal(settings, tenant_id, "conversions", [converted_at.isoformat(), conversion_event_id])


def decode(settings: Settings, tenant_id: UUID, cursor: str, parameter: str = "starting_after"
           ) -> tuple[datetime, str]:
    """(converted_at, conversion_event_id) of a conversions cursor issued to this tenant, or a 422."""
    converted_at, conversion_event_id = unseal(settings, tenant_id, "conversions", cursor, 2, parameter)
    try:
        position = datetime.fromisoformat(converted_at)
    except ValueError:
        raise _invalid(parameter) from None
    if position.tzinfo is None:
        raise _invalid(parameter)
    return position, conversion_event_id
