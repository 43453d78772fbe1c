"""Data-subject requests (GDPR Art. 15 access, 16 rectification, 17 erasure): recording them.

A request is recorded with its received time and a due date one calendar month later (Art. 12(3)), and the
audit log says who made it (the entry names the request, never the subject). The subject's identifiers are
sealed in the request row while it is processed (earmark.privacy.processing) and cleared when it completes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

import psycopg

from earmark import sealing
from earmark.errors import EarmarkError
from earmark.privacy import audit, pseudonyms
from earmark.settings import Settings
from earmark.sqlfiles import load

KINDS = ("access", "erasure", "rectification")
MAX_ID = 256


class RequestError(EarmarkError):
    """A request Earmark cannot record as given; the message says what to change."""


@dataclass(frozen=True)
class Subject:
    user_id: str
    email: str | None = None
    new_user_id: str | None = None  # rectification: the id the subject's rows get

    def identifiers(self, settings: Settings | None = None) -> list[str]:
        """Every value the subject's rows can hold: the id as stored (an email id becomes its pseudonym),
        and for an email the address and its pseudonym."""
        found = [self.user_id, pseudonyms.user_key(self.user_id, settings)]
        if self.email:
            found += [self.email, pseudonyms.email_pseudonym(self.email, settings)]
        return sorted(set(found))

    def stored_ids(self, settings: Settings | None = None) -> list[str]:
        """The user ids the subject's events are stored under."""
        found = {pseudonyms.user_key(self.user_id, settings)}
        if self.email:
            found.add(pseudonyms.email_pseudonym(self.email, settings))
        return sorted(found)


def check(kind: str, subject: Subject) -> None:
    if kind not in KINDS:
        raise RequestError(f"Unknown request type {kind!r}; use access, erasure or rectification.")
    for name, value in (("subject", subject.user_id), ("email", subject.email),
                        ("new subject", subject.new_user_id)):
        if value is not None and (not value.strip() or len(value) > MAX_ID):
            raise RequestError(f"The {name} must be 1 to {MAX_ID} characters.")
    if subject.email is not None and not pseudonyms.looks_like_email(subject.email.strip()):
        raise RequestError(f"{subject.email!r} is not an email address; pass the one the subject gave.")
    if kind == "rectification" and not subject.new_user_id:
        raise RequestError("A rectification needs the corrected id (--new-subject, or new_subject).")
    if kind != "rectification" and subject.new_user_id:
        raise RequestError("Only a rectification takes a new subject id.")
    if subject.new_user_id and subject.new_user_id == subject.user_id:
        raise RequestError("The corrected id is the same as the subject's id.")


def _aad(tenant_id: UUID | str) -> bytes:
    return b"privacy-request\0" + UUID(str(tenant_id)).bytes


def seal_subject(tenant_id: UUID | str, subject: Subject, settings: Settings | None = None) -> bytes:
    plain = json.dumps({"user_id": subject.user_id, "email": subject.email,
                        "new_user_id": subject.new_user_id})
    return sealing.seal(pseudonyms.subject_seal_key(settings), plain, _aad(tenant_id))


def open_subject(tenant_id: UUID | str, sealed: bytes, settings: Settings | None = None) -> Subject:
    plain = json.loads(sealing.open_sealed(pseudonyms.subject_seal_key(settings), sealed, _aad(tenant_id)))
    return Subject(plain["user_id"], plain.get("email"), plain.get("new_user_id"))


def seal_export(tenant_id: UUID | str, document: dict, settings: Settings | None = None) -> bytes:
    return sealing.seal(pseudonyms.subject_seal_key(settings), json.dumps(document, default=str),
                        _aad(tenant_id) + b"\0export")


def open_export(tenant_id: UUID | str, sealed: bytes, settings: Settings | None = None) -> dict:
    return json.loads(sealing.open_sealed(pseudonyms.subject_seal_key(settings), sealed,
                                          _aad(tenant_id) + b"\0export"))


def params(tenant_id: UUID | str, kind: str, subject: Subject, requested_by: str, request_id: str = "",
           received_at: datetime | None = None, settings: Settings | None = None) -> dict:
    check(kind, subject)
    return {"tenant_id": str(tenant_id), "kind": kind,
            "subject_key": pseudonyms.subject_key(subject.user_id, settings),
            "subject_sealed": seal_subject(tenant_id, subject, settings), "requested_by": requested_by,
            "request_id": request_id, "received_at": received_at or datetime.now(UTC)}


def audit_changes(kind: str, row: dict) -> dict:
    return {"type": kind, "due_at": row["due_at"].isoformat()}


def create(conn: psycopg.Connection, tenant_id: UUID | str, kind: str, subject: Subject, requested_by: str,
           request_id: str = "", settings: Settings | None = None) -> dict:
    """Record a request and its audit entry in the caller's tenant transaction."""
    values = params(tenant_id, kind, subject, requested_by, request_id, settings=settings)
    with conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        row = cur.execute(load("earmark.privacy", "requests_insert"), values).fetchone()
    audit.append(conn, tenant_id, requested_by, "privacy_request_created",
                 target=f"privacy_request:{row['id']}", request_id=request_id,
                 changes=audit_changes(kind, row))
    return row
