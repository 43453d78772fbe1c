"""AES-GCM sealing of short secrets at rest (TOTP secrets, tenants' AI provider keys). No database here.

A sealed value is nonce || ciphertext+tag under a key derived with HKDF-SHA256 from a server-side secret
that is not in the database, so a copy of the database alone opens nothing. Each purpose derives its own
key under its own label, and the associated data names the row a value belongs to: copied to another row,
it does not open.
"""

from __future__ import annotations

import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import SecretStr

NONCE_BYTES = 12


def derive_key(material: SecretStr, label: bytes) -> bytes:
    kdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label)
    return kdf.derive(material.get_secret_value().encode())


def seal(key: bytes, plain: str, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plain.encode(), aad)


def seal_many(key: bytes, plains: list[str], aads: list[bytes]) -> list[bytes]:
    """seal() of many values under one key: one cipher object for all (request-log addresses by the
    million)."""
    cipher = AESGCM(key)
    sealed = []
    for plain, aad in zip(plains, aads, strict=True):
        nonce = os.urandom(NONCE_BYTES)
        sealed.append(nonce + cipher.encrypt(nonce, plain.encode(), aad))
    return sealed


def open_sealed(key: bytes, sealed: bytes, aad: bytes) -> str:
    """The plain text; raises cryptography's InvalidTag for a wrong key or another row's value (the caller
    says which in its own words)."""
    sealed = bytes(sealed)
    return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad).decode()
