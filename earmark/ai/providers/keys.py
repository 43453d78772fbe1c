"""Provider keys: a tenant's own, sealed in app.ai_provider_keys, else the platform's from the environment.

A tenant's key wins so that a tenant who brings its own account pays for its own calls. Keys are sealed
with AES-GCM under a key derived from EARMARK_SECRET_KEY (earmark.sealing), with tenant and provider as
associated data. A key is held as a SecretStr until the SDK client is built, and appears in no log line,
exception message or repr. Functions run in the caller's tenant transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args
from uuid import UUID

import psycopg
from cryptography.exceptions import InvalidTag
from pydantic import SecretStr

from earmark import sealing
from earmark.ai.providers.local import NAME as LOCAL
from earmark.ai.providers.usage import KeySource
from earmark.errors import EarmarkError
from earmark.settings import AiProvider, Settings
from earmark.sqlfiles import load

KEYED_PROVIDERS = tuple(name for name in get_args(AiProvider) if name != LOCAL)
LABEL = b"earmark ai provider key v1"


class ProviderKeyError(EarmarkError, ValueError):
    """A key request that cannot be done, or a sealed key that does not open; the message says what to do."""


@dataclass(frozen=True)
class ProviderKey:
    secret: SecretStr
    source: Literal["tenant", "environment"]

    @property
    def payer(self) -> KeySource:
        """Whose account a call with this key bills, as app.ai_calls.key_source records it."""
        return "tenant" if self.source == "tenant" else "platform"


def _checked(provider: str) -> str:
    if provider not in KEYED_PROVIDERS:
        raise ProviderKeyError(f"Unknown provider {provider!r} for a key; choose one of "
                               f"{', '.join(KEYED_PROVIDERS)} (local needs none).")
    return provider


def _aad(tenant_id: UUID, provider: str) -> bytes:
    return f"earmark-ai-key:{UUID(str(tenant_id))}:{provider}".encode()


def _sealing_key(settings: Settings) -> bytes:
    return sealing.derive_key(settings.secret_key, LABEL)


def set_key(conn: psycopg.Connection, tenant_id: UUID, provider: str, key: str, settings: Settings) -> None:
    key = key.strip()
    if not key or any(ch.isspace() for ch in key):
        raise ProviderKeyError("A provider key is one word without spaces; nothing was stored.")
    sealed = sealing.seal(_sealing_key(settings), key, _aad(tenant_id, _checked(provider)))
    conn.execute(load("earmark.ai", "providers_key_put"),
                 {"tenant_id": tenant_id, "provider": provider, "sealed": sealed})


def delete_key(conn: psycopg.Connection, tenant_id: UUID, provider: str) -> bool:
    """True when the tenant had a key for the provider."""
    return conn.execute(load("earmark.ai", "providers_key_delete"),
                        {"tenant_id": tenant_id, "provider": _checked(provider)}).fetchone() is not None


def resolve(conn: psycopg.Connection, tenant_id: UUID, provider: str,
            settings: Settings) -> ProviderKey | None:
    """The key to call `provider` with for this tenant, or None (the provider is then skipped).

    A sealed key that does not open (EARMARK_SECRET_KEY changed since it was set) raises: falling back to
    the platform's key would silently bill the platform for a tenant that chose to pay for itself.
    """
    row = conn.execute(load("earmark.ai", "providers_key_get"),
                       {"tenant_id": tenant_id, "provider": _checked(provider)}).fetchone()
    if row is not None:
        try:
            plain = sealing.open_sealed(_sealing_key(settings), row[0], _aad(tenant_id, provider))
        except InvalidTag:
            raise ProviderKeyError(f"This tenant's {provider} key does not open (EARMARK_SECRET_KEY changed "
                                   "since it was set?); set it again with `earmark ai keys set`.") from None
        return ProviderKey(SecretStr(plain), "tenant")
    platform = settings.openai_api_key if provider == "openai" else settings.anthropic_api_key
    if platform is not None and platform.get_secret_value():
        return ProviderKey(platform, "environment")
    return None
