"""R3 and what Earmark stores of an address: never the address itself in plain text.

- the IP key (dotted IPv4, an IPv4-mapped IPv6 address as IPv4, else the IPv6 /64 network) is kept only as a
  keyed HMAC-SHA256, truncated to 64 bits, under a key derived from the server's secret (not in the
  database): equal keys join and count listeners, and the database alone cannot be turned back into
  addresses (an unkeyed hash of the 2^32 IPv4 addresses is reversed in minutes);
- the address gets an id the same way (its own label), and the address itself is sealed with AES-GCM
  (earmark.sealing) so that data-centre membership can be decided again when the list changes.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
import socket
from dataclasses import dataclass
from uuid import UUID

from earmark import sealing
from earmark.settings import Settings, get_settings

KEY_LABEL = b"earmark download ip key v1"
SEAL_LABEL = b"earmark download ip seal v1"


class AddressError(ValueError):
    """Not an IPv4 or IPv6 address."""


def parse(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The address, IPv4-mapped IPv6 (::ffff:a.b.c.d) as the IPv4 address it maps."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        raise AddressError(f"{text!r} is not an IPv4 or IPv6 address") from None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        # fe80::1%eth0: the zone names the server's interface, not the listener
        if address.scope_id is not None:
            address = ipaddress.IPv6Address(address.compressed.split("%", 1)[0])
    return address


def ip_key(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """R3's IP key: '192.0.2.7', or '2001:db8:1:2::/64' (privacy addresses within one /64 are one key)."""
    if isinstance(address, ipaddress.IPv4Address):
        return str(address)
    return str(ipaddress.IPv6Network((int(address) >> 64 << 64, 64)))


# Plain hex-and-colon IPv6 text: no embedded IPv4, zone or whitespace (those take `parse`).
_PLAIN_V6 = re.compile(r"^[0-9A-Fa-f:]{2,39}$")
_ZERO_HEAD = bytes(10)
_ZERO_TAIL = bytes(8)


def canonical_v6(text: str) -> tuple[str, str, int] | None:
    """(canonical text, IP key, integer value) of a plain IPv6 address, the same as `parse`, `str` and
    `ip_key` give, from its 16 bytes (no `ipaddress` objects: bench/RESULTS.md); None for text it leaves
    to `parse`.

    The C library's inet_ntop spells addresses as RFC 5952 and `ipaddress` do (lower case, no leading zeros,
    the longest run of two or more zero groups as ::, the first on a tie) except one whose first 80 bits are
    zero, which it writes with a dotted IPv4 tail (::ffff:a.b.c.d, ::a.b.c.d): those are left to `parse`
    (mapped ones are IPv4 under R3). tests/downloads/test_addresses.py holds the two paths equal."""
    if not _PLAIN_V6.match(text):
        return None
    try:
        packed = socket.inet_pton(socket.AF_INET6, text)
    except OSError:
        return None
    if packed[:10] == _ZERO_HEAD:
        return None
    network = socket.inet_ntop(socket.AF_INET6, packed[:8] + _ZERO_TAIL)
    return socket.inet_ntop(socket.AF_INET6, packed), network + "/64", int.from_bytes(packed, "big")


@dataclass(frozen=True)
class AddressKeys:
    """The server-side keys; build once per load (HKDF per call would cost more than the hashing)."""

    mac_key: bytes
    seal_key: bytes

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> AddressKeys:
        settings = settings or get_settings()
        material = settings.downloads_key or settings.secret_key
        return cls(sealing.derive_key(material, KEY_LABEL), sealing.derive_key(material, SEAL_LABEL))

    # One label for address ids and IP keys alike: an IPv4 address is its own IP key, so its address id
    # and its key are one HMAC (an IPv6 key is a network, "2001:db8:1:2::/64", never spelled like an address).
    def macs(self, values: list[str]) -> list[int]:
        """The 64-bit keyed HMAC of each address or IP key (one HMAC key, no per-call lookups)."""
        key, digest = self.mac_key, hmac.digest
        return [int.from_bytes(digest(key, b"ip\0" + v.encode(), "sha256")[:8], "big", signed=True)
                for v in values]

    def seal_many(self, tenant_id: UUID | str, ids: list[int], texts: list[str]) -> list[bytes]:
        """The sealed form of many addresses of one tenant, each bound to its tenant and address id."""
        prefix = UUID(str(tenant_id)).bytes
        return sealing.seal_many(self.seal_key, texts,
                                 [prefix + i.to_bytes(8, "big", signed=True) for i in ids])

    def open(self, tenant_id: UUID | str, address_id: int, sealed: bytes) -> str:
        return sealing.open_sealed(self.seal_key, sealed, _aad(tenant_id, address_id))


def _aad(tenant_id: UUID | str, address_id: int) -> bytes:
    return UUID(str(tenant_id)).bytes + address_id.to_bytes(8, "big", signed=True)
