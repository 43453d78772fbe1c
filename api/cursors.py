"""Opaque page cursors: where the last page ended, signed, so a cursor is never a query's input unchecked.

A cursor carries the keyset position (converted_at, conversion_event_id) and the tenant it was issued
to, under an HMAC keyed from EARMARK_SECRET_KEY. A forged, truncated or other tenant's cursor fails the
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


def encode(settings: Settings, tenant_id: UUID, converted_at: datetime, conversion_event_id: str) -> str:
    payload = json.dumps([str(tenant_id), converted_at.isoformat(), conversion_event_id],
                         separators=(",", ":"), ensure_ascii=True).encode("ascii")
    body = _b64(payload)
    signature = hmac.new(_key(settings), body.encode("ascii"), hashlib.sha256).digest()[:_SIGNATURE_BYTES]
    return f"{body}.{_b64(signature)}"


def decode(settings: Settings, tenant_id: UUID, cursor: str, parameter: str = "starting_after"
           ) -> tuple[datetime, str]:
    """(converted_at, conversion_event_id) of a cursor this API issued to this tenant, or a 422."""
    body, _, signature = cursor.partition(".")
    try:
        expected = hmac.new(_key(settings), body.encode("ascii"), hashlib.sha256).digest()[:_SIGNATURE_BYTES]
        if not hmac.compare_digest(expected, _unb64(signature)):
            raise ValueError("bad signature")
        issued_to, converted_at, conversion_event_id = json.loads(_unb64(body))
        if issued_to != str(tenant_id):
            raise ValueError("another tenant's cursor")
        if not isinstance(conversion_event_id, str) or "\x00" in conversion_event_id:
            raise ValueError("not a conversion id")  # only a forger with the server secret gets here
        position = datetime.fromisoformat(converted_at)
        if position.tzinfo is None:
            raise ValueError("not a timestamp with a zone")
        return position, conversion_event_id
    except (ValueError, TypeError, UnicodeEncodeError, binascii.Error):
        raise Problem(422, "validation-error",
                      f"query.{parameter}: not a cursor this API issued; pass the next_cursor of the "
                      "previous page, or leave it out for the first page.",
                      errors=[{"loc": ["query", parameter], "msg": "not a cursor this API issued",
                               "type": "cursor_invalid"}]) from None
