"""Pixel events (issue 17): what the canonical event file's `ip` column becomes. Never the address in clear.

- `household_key`: the keyed 64-bit HMAC of the address's IP key (IPv4, or the IPv6 /64), the very value
  request logs store as `ip_key` (earmark.downloads.addresses) for the same listener, which is what lets a
  delivered ad and a site visit of one household be matched;
- `ip_sealed`: the address itself (IPv4-mapped IPv6 as IPv4) under AES-GCM (earmark.sealing), bound to its
  tenant and event id, so data-centre and carrier membership can be judged again when those lists change.

The work is done once per distinct address of a file, not per row (a site's visitors repeat).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import cache
from uuid import UUID

import polars as pl

from earmark import sealing
from earmark.downloads import addresses
from earmark.downloads.prepared import DOTTED_IPV4  # canonical already, and its own IP key
from earmark.settings import Settings, get_settings

SEAL_LABEL = b"earmark event ip seal v1"
WITHHELD = "(ip withheld)"
# The columns an address table has: the stripped text as sent, its household key and its canonical text.
ADDRESS_SCHEMA = {"__ip": pl.String, "__household_key": pl.Int64, "__address": pl.String}
_TOKEN = re.compile(r"[0-9A-Fa-f:.]+")


@dataclass(frozen=True)
class PixelKeys:
    """The server-side keys of pixel addresses (not in the database); build once per file."""

    addresses: addresses.AddressKeys
    seal_key: bytes

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> PixelKeys:
        settings = settings or get_settings()
        material = settings.downloads_key or settings.secret_key
        return cls(addresses.AddressKeys.from_settings(settings), sealing.derive_key(material, SEAL_LABEL))

    def seal_event_ip(self, tenant_id: UUID | str, event_id: str, address_text: str) -> bytes:
        return sealing.seal(self.seal_key, address_text, _aad(tenant_id, event_id))

    def seal_event_ips(self, tenant_id: UUID | str, event_ids: list[str], texts: list[str]) -> list[bytes]:
        """seal_event_ip of many events of one tenant under one cipher."""
        prefix = UUID(str(tenant_id)).bytes
        return sealing.seal_many(self.seal_key, texts, [prefix + e.encode() for e in event_ids])

    def open_event_ip(self, tenant_id: UUID | str, event_id: str, sealed: bytes) -> str:
        """The address; raises cryptography's InvalidTag under another tenant, event id or key."""
        return sealing.open_sealed(self.seal_key, sealed, _aad(tenant_id, event_id))


def _aad(tenant_id: UUID | str, event_id: str) -> bytes:
    # The tenant's 16 bytes, then the event id: fixed width first, so no two pairs give the same bytes.
    return UUID(str(tenant_id)).bytes + event_id.encode()


def seal_event_ip(tenant_id: UUID | str, event_id: str, address_text: str) -> bytes:
    """The address of one pixel event, sealed and bound to its tenant and event id."""
    return _current_keys().seal_event_ip(tenant_id, event_id, address_text)


def open_event_ip(tenant_id: UUID | str, event_id: str, sealed: bytes) -> str:
    """The address seal_event_ip sealed; raises cryptography's InvalidTag for another tenant or event."""
    return _current_keys().open_event_ip(tenant_id, event_id, sealed)


def _current_keys() -> PixelKeys:
    settings = get_settings()
    material = settings.downloads_key or settings.secret_key
    return _keys_for(material.get_secret_value())


@cache
def _keys_for(material: str) -> PixelKeys:
    # per secret, so a caller opening many events derives the keys once (HKDF costs more than AES-GCM)
    return PixelKeys.from_settings(get_settings())


def address_table(ips: pl.Series, keys: PixelKeys) -> pl.DataFrame:
    """One row per distinct address text (stripped): its household key and canonical text, both null when
    it is not an IP address. Dotted IPv4 takes a vectorised path; anything else goes through `ipaddress`."""
    distinct = ips.drop_nulls().unique()
    distinct = distinct.filter(distinct != "")
    if distinct.is_empty():
        return pl.DataFrame(schema=ADDRESS_SCHEMA)
    dotted = distinct.filter(distinct.str.contains(DOTTED_IPV4))
    others = distinct.filter(~distinct.str.contains(DOTTED_IPV4)).to_list()
    texts, canonical, key_texts = dotted.to_list(), dotted.to_list(), dotted.to_list()
    unreadable = []
    for text in others:
        try:
            address = addresses.parse(text)
        except addresses.AddressError:
            unreadable.append(text)
            continue
        texts.append(text)
        canonical.append(str(address))
        key_texts.append(addresses.ip_key(address))
    # one HMAC per distinct IP key (privacy addresses of one /64 share theirs)
    unique_keys = list(dict.fromkeys(key_texts))
    macs = dict(zip(unique_keys, keys.addresses.macs(unique_keys), strict=True))
    return pl.DataFrame({
        "__ip": texts + unreadable,
        "__household_key": [macs[k] for k in key_texts] + [None] * len(unreadable),
        "__address": canonical + [None] * len(unreadable),
    }, schema=ADDRESS_SCHEMA)


def sealed_hex(frame: pl.DataFrame, tenant_id: UUID | str, keys: PixelKeys) -> pl.Series:
    """`\\x<hex>` (Postgres' bytea input, through CSV COPY) of each row's sealed `__address`, else null.
    `frame` has event_id and __address."""
    has = frame["__address"].is_not_null()
    sealed = keys.seal_event_ips(tenant_id, frame.filter(has)["event_id"].to_list(),
                                 frame.filter(has)["__address"].to_list())
    out = pl.Series("ip_sealed", [None] * frame.height, dtype=pl.String)
    if sealed:
        hexed = "\\x" + pl.Series(sealed, dtype=pl.Binary).bin.encode("hex")
        out = out.scatter(has.arg_true(), hexed)
    return out


def withhold_addresses(record: str) -> str:
    """A malformed line with every IP address in it replaced by WITHHELD (its fields cannot be told
    apart, so each token that parses as an address is)."""

    def replace(match: re.Match) -> str:
        token = match.group(0)
        try:
            ipaddress.ip_address(token.strip("."))
        except ValueError:
            return token
        return WITHHELD

    return _TOKEN.sub(replace, record)
