"""API keys in the database: mint, list, revoke. The SQL is shared with the API's keys router."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import psycopg
from psycopg.rows import class_row

from earmark import credentials
from earmark.errors import EarmarkError
from earmark.settings import Settings
from earmark.sqlfiles import load


class KeyRequestError(EarmarkError, ValueError):
    """A key request that cannot be done; the message says what to do instead."""


@dataclass(frozen=True)
class ApiKey:
    id: UUID
    tenant_id: UUID | None
    name: str
    mode: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    def as_json(self) -> dict:
        def stamp(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "id": str(self.id),
            "tenant_id": str(self.tenant_id) if self.tenant_id else None,
            "name": self.name,
            "mode": self.mode,
            "prefix": self.prefix,
            "scopes": list(self.scopes),
            "created_at": stamp(self.created_at),
            "expires_at": stamp(self.expires_at),
            "revoked_at": stamp(self.revoked_at),
            "last_used_at": stamp(self.last_used_at),
        }


def validate_scopes(scopes: list[str], *, platform: bool) -> list[str]:
    allowed = credentials.PLATFORM_SCOPES if platform else credentials.TENANT_SCOPES
    scopes = list(dict.fromkeys(s.strip() for s in scopes if s.strip()))
    if not scopes:
        raise KeyRequestError(f"A key needs at least one scope; choose from {', '.join(allowed)}.")
    unknown = credentials.unknown_scopes(scopes, allowed)
    if unknown:
        kind = "platform" if platform else "tenant"
        raise KeyRequestError(f"Unknown {kind} scope {unknown[0]!r}; choose from {', '.join(allowed)}.")
    return scopes


def insert_params(new: credentials.NewKey, *, tenant_id: UUID | None, scopes: list[str],
                  expires_at: datetime | None, name: str) -> dict:
    return {"tenant_id": tenant_id, "name": name, "mode": new.mode, "prefix": new.prefix,
            "key_hash": new.key_hash, "scopes": scopes, "expires_at": expires_at}


def audit_changes(key: ApiKey | dict) -> dict:
    """What an audit entry of a key's creation or revocation says about it: never the secret, its hash or
    its prefix (the first characters of the secret)."""
    row = key if isinstance(key, dict) else vars(key)
    return {"name": row["name"], "mode": row["mode"], "scopes": list(row["scopes"]),
            "expires_at": row["expires_at"], "revoked_at": row["revoked_at"]}


def create(conn: psycopg.Connection, *, tenant_id: UUID | None, scopes: list[str] | None = None,
           expires_at: datetime | None = None, name: str = "", mode: credentials.Mode = "live",
           settings: Settings | None = None) -> tuple[ApiKey, str]:
    """Mint a key for a tenant (or a platform key when tenant_id is None); returns it and its secret."""
    platform = tenant_id is None
    default = credentials.PLATFORM_SCOPES if platform else credentials.DEFAULT_TENANT_SCOPES
    scopes = validate_scopes(list(scopes or default), platform=platform)
    if expires_at is not None and expires_at.tzinfo is None:
        raise KeyRequestError("--expires needs a time zone or a plain date (YYYY-MM-DD).")
    new = credentials.generate(mode, settings)
    params = insert_params(new, tenant_id=tenant_id, scopes=scopes, expires_at=expires_at, name=name)
    with conn.transaction(), conn.cursor(row_factory=class_row(ApiKey)) as cur:
        key = cur.execute(load("earmark", "keys_insert_platform" if platform else "keys_insert_tenant"),
                          params).fetchone()
    return key, new.secret


def list_for_tenant(conn: psycopg.Connection, tenant_id: UUID) -> list[ApiKey]:
    with conn.cursor(row_factory=class_row(ApiKey)) as cur:
        return cur.execute(load("earmark", "keys_list_tenant"), {"tenant_id": tenant_id}).fetchall()


def list_platform(conn: psycopg.Connection) -> list[ApiKey]:
    with conn.cursor(row_factory=class_row(ApiKey)) as cur:
        return cur.execute(load("earmark", "keys_list_platform")).fetchall()


def revoke(conn: psycopg.Connection, key_id: str) -> ApiKey:
    """Revoke any key by id (owner only); the API stops accepting it within its cache TTL (<= 60 s)."""
    try:
        key_uuid = UUID(key_id)
    except ValueError:
        raise KeyRequestError(f"{key_id!r} is not a key id (a UUID); see `earmark keys list`.") from None
    with conn.transaction(), conn.cursor(row_factory=class_row(ApiKey)) as cur:
        found = cur.execute(load("earmark", "keys_revoke_any"), {"id": key_uuid}).fetchone()
    if found is None:
        raise KeyRequestError(f"No key {key_uuid}; see `earmark keys list --tenant ID`.")
    return found
