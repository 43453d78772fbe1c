"""OAuth 2.1 material shared by the CLI and the server: clients, tokens and their hashes, lifetimes.

Codes, access tokens, refresh tokens and client secrets are random strings shown once; the database
keeps only their HMAC-SHA256 under EARMARK_SECRET_KEY, each under its own label, so a token of one kind
can never be presented as another. The models implement authlib's mixins (api/oauth_server.py drives
authlib's framework-neutral server with them).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from uuid import UUID

import psycopg
from authlib.oauth2.rfc6749 import ClientMixin, TokenMixin
from psycopg.rows import dict_row

from earmark.credentials import TENANT_SCOPES
from earmark.errors import EarmarkError
from earmark.settings import Settings, get_settings
from earmark.sqlfiles import load

GRANT_TYPES = ("authorization_code", "refresh_token", "client_credentials")
CODE_TTL = timedelta(seconds=60)

# Refresh tokens rotate on every use, and the grant behind them ends 30 days after the code at most.
REFRESH_ABSOLUTE = timedelta(days=30)
ACCESS_PREFIX = "eat_"
REFRESH_PREFIX = "ert_"
CLIENT_PREFIX = "ec_"
SECRET_PREFIX = "ecs_"
CLIENT_ID_SHAPE = re.compile(r"ec_[A-Za-z0-9_-]{22,64}")


def access_ttl(settings: Settings | None = None) -> timedelta:
    """An access token's life: EARMARK_OAUTH_ACCESS_TOKEN_MINUTES, 10 by default."""
    return timedelta(minutes=(settings or get_settings()).oauth_access_token_minutes)


class ClientError(EarmarkError, ValueError):
    """A client registration that cannot be made; the message says what to change."""


def _hmac(purpose: str, value: str, settings: Settings | None = None) -> str:
    key = (settings or get_settings()).secret_key.get_secret_value().encode()
    return hmac.new(key, f"oauth-{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def code_hash(code: str, settings: Settings | None = None) -> str:
    return _hmac("code", code, settings)


def token_hash(token: str, settings: Settings | None = None) -> str:
    return _hmac("token", token, settings)


def secret_hash(secret: str, settings: Settings | None = None) -> str:
    return _hmac("client-secret", secret, settings)


def new_access_token() -> str:
    return ACCESS_PREFIX + secrets.token_urlsafe(32)


def new_refresh_token() -> str:
    return REFRESH_PREFIX + secrets.token_urlsafe(32)


def audience(settings: Settings | None = None) -> str:
    """What access tokens are for: the read API under this issuer."""
    return (settings or get_settings()).issuer.rstrip("/") + "/api/v1"


def scope_list(scope: str | None) -> list[str]:
    return sorted(set((scope or "").split()))


@dataclass(frozen=True)
class Client(ClientMixin):
    tenant_id: UUID
    id: UUID
    client_id: str
    name: str
    secret_hash: str | None
    redirect_uris: list[str]
    scopes: list[str]
    grant_types: list[str]
    settings: Settings | None = field(default=None, repr=False, compare=False)

    @property
    def public(self) -> bool:
        return self.secret_hash is None

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        # With several registered, the request must name one (OAuth 2.1, section 4.1.1).
        return self.redirect_uris[0] if len(self.redirect_uris) == 1 else None

    def get_allowed_scope(self, scope: str | None) -> str | None:
        """The scopes asked for, if all were registered (none asked: all registered); None refuses."""
        if not scope:
            return " ".join(self.scopes)
        asked = scope_list(scope)
        return " ".join(asked) if set(asked) <= set(self.scopes) else None

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris  # byte for byte: no normalising, no prefix match

    def check_client_secret(self, client_secret: str) -> bool:
        if self.secret_hash is None:
            return False
        return hmac.compare_digest(secret_hash(client_secret, self.settings), self.secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if self.public:
            # A public client names itself at the token and revocation endpoints; introspection needs a
            # secret (RFC 7662 section 2.1).
            return method == "none" and endpoint in ("token", "revocation")
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and "authorization_code" in self.grant_types

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.grant_types


@dataclass
class Token(TokenMixin):
    """An access or refresh token row, as the revocation, introspection and refresh grant see it."""

    tenant_id: UUID
    id: UUID
    grant_id: UUID
    kind: str
    client: UUID
    client_id: str
    user_id: UUID | None
    scopes: list[str]
    audience: str
    created_at: datetime
    expires_at: datetime
    rotated_at: datetime | None = None
    revoked_at: datetime | None = None
    grant_revoked_at: datetime | None = None
    expired: bool = False
    holder_active: bool = True  # its user (if any) and its tenant are still active

    def check_client(self, client: Client) -> bool:
        return client.id == self.client and client.tenant_id == self.tenant_id

    def get_scope(self) -> str:
        return " ".join(self.scopes)

    def get_expires_in(self) -> int:
        return max(0, int((self.expires_at - datetime.now(UTC)).total_seconds()))

    def is_expired(self) -> bool:
        return self.expires_at <= datetime.now(UTC)

    def is_revoked(self) -> bool:
        return (self.revoked_at is not None or self.grant_revoked_at is not None or not self.holder_active
                or (self.kind == "refresh" and self.rotated_at is not None))

    def get_user(self):
        return self.user_id

    def get_client(self):
        return self.client


def _check_redirect_uri(uri: str) -> str:
    parts = urlsplit(uri)
    loopback = parts.hostname in ("127.0.0.1", "::1", "localhost")
    if parts.fragment or not parts.netloc and parts.scheme in ("http", "https"):
        raise ClientError(f"Redirect URI {uri!r} must be absolute and have no #fragment.")
    if parts.scheme == "http" and not loopback:
        raise ClientError(f"Redirect URI {uri!r} uses http; use https (http is for loopback addresses only).")
    if parts.scheme not in ("http", "https") and "." not in parts.scheme:
        # RFC 8252: a native app's private-use scheme is a reversed domain name, e.g. com.example.app:/cb.
        raise ClientError(f"Redirect URI {uri!r} needs https, a loopback http address, or a reversed-domain "
                          "scheme such as com.example.app:/callback.")
    return uri


def new_client(tenant_id: UUID | str, name: str, redirect_uris: list[str], *, public: bool = False,
               scopes: list[str] | None = None, grant_types: list[str] | None = None,
               settings: Settings | None = None) -> tuple[dict, str | None]:
    """The parameters of oauth_clients_insert.sql and the secret to show once (None: public client)."""
    name = name.strip()
    if not name:
        raise ClientError("A client needs a --name people recognise on the consent page.")
    if not redirect_uris:
        raise ClientError("A client needs at least one --redirect-uri.")
    uris = [_check_redirect_uri(uri) for uri in dict.fromkeys(redirect_uris)]
    scopes = sorted(set(scopes or ["attribution:read"]))
    unknown = sorted(set(scopes) - set(TENANT_SCOPES))
    if unknown:
        raise ClientError(f"Unknown scope {unknown[0]!r}; choose from {', '.join(TENANT_SCOPES)}.")
    grant_types = list(dict.fromkeys(grant_types or ["authorization_code", "refresh_token"]))
    unknown = [g for g in grant_types if g not in GRANT_TYPES]
    if unknown:
        raise ClientError(f"Unknown grant type {unknown[0]!r}; choose from {', '.join(GRANT_TYPES)} "
                          "(implicit and password grants do not exist in OAuth 2.1).")
    if public and "client_credentials" in grant_types:
        raise ClientError("A public client has no secret, so it cannot use client_credentials; drop --public "
                          "or that grant type.")
    secret = None if public else SECRET_PREFIX + secrets.token_urlsafe(32)
    return {"tenant_id": str(tenant_id), "client_id": CLIENT_PREFIX + secrets.token_urlsafe(16), "name": name,
            "secret_hash": secret_hash(secret, settings) if secret else None, "redirect_uris": uris,
            "scopes": scopes, "grant_types": grant_types}, secret


def create_client(conn: psycopg.Connection, tenant_id: UUID | str, name: str, redirect_uris: list[str],
                  **options) -> tuple[Client, str | None]:
    """Register a client of an existing tenant (the operator's CLI, as the owner role); the secret is
    returned only here."""
    params, secret = new_client(tenant_id, name, redirect_uris, **options)
    with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(load("earmark.identity", "oauth_clients_insert"), params).fetchone()
    return Client(**row), secret


def revoke_client(conn: psycopg.Connection, tenant_id: UUID | str, client_id: str) -> Client:
    """Revoke a live client of the tenant (the operator's CLI): it can no longer ask for tokens, and the
    tokens it holds stop working at once."""
    with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(load("earmark.identity", "oauth_clients_revoke"),
                          {"tenant_id": str(tenant_id), "client_id": client_id}).fetchone()
    if row is None:
        raise ClientError(f"The tenant has no live client {client_id!r}; `earmark oauth clients list` "
                          "shows them.")
    return Client(**row)


def audit_changes(client: Client) -> dict:
    """What an oauth_client_created or _revoked audit entry says of the client: never its secret."""
    return {"name": client.name, "public": client.public, "scopes": list(client.scopes),
            "grant_types": list(client.grant_types), "redirect_uris": list(client.redirect_uris)}
