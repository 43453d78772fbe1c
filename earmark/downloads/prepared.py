"""A checked batch of a request log turned into what Earmark stores and counts: strings as ids, addresses as
keyed HMACs (earmark.downloads.addresses), data-centre membership decided under the active list.

A load keeps one AddressBook and one StringBook for all its batches, so each distinct address and string is
worked out once per file. Dotted IPv4 addresses (nearly all of a log) take a vectorised path: their text is
already canonical and their own IP key; plain IPv6 is read from its 16 bytes; anything else goes through
`ipaddress`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from uuid import UUID

import numpy as np
import polars as pl

from earmark.downloads import addresses
from earmark.downloads.lists.parse import CidrList

STRING_COLUMNS = {"user_agent": "ua_id", "url": "url_id", "referer": "referer_id"}
REQUEST_COLUMNS = ("row_number", "request_id", "ts_ms", "method", "status", "address_id", "ip_key", "ua_id",
                   "url_id", "referer_id", "range_kind", "range_a", "range_b", "bytes_sent")
_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
DOTTED_IPV4 = rf"^{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}$"  # no leading zeros: 010.0.0.1 takes the slow path
ADDRESS_SCHEMA = {"ip": pl.String, "address_id": pl.Int64, "ip_key": pl.Int64, "in_datacenter": pl.Boolean,
                  "address": pl.String}


def string_id(value: str) -> int:
    """A stable 64-bit id of a string (a user agent, a URL): the same bytes always give the same id."""
    return int.from_bytes(hashlib.blake2b(value.encode(), digest_size=8).digest(), "big", signed=True)


@dataclass
class Prepared:
    requests: pl.DataFrame  # REQUEST_COLUMNS
    rejected: pl.DataFrame  # row_number, reason, record


class AddressBook:
    """Every distinct address of a load: its ids, its IP key's id, whether it is in a data centre, and its
    canonical text (sealed before it is stored, never stored plain)."""

    def __init__(self, keys: addresses.AddressKeys, datacenters: CidrList) -> None:
        self.keys, self.datacenters = keys, datacenters
        self.known = pl.DataFrame(schema=ADDRESS_SCHEMA)
        self.unreadable: set[str] = set()
        firsts, lasts = datacenters.ranges(4)
        self._v4 = (np.array(firsts, np.int64), np.array(lasts, np.int64))

    def add(self, ips: pl.Series) -> None:
        new = ips.unique().to_frame("ip").join(self.known.select("ip"), on="ip", how="anti")
        new = new.filter(~pl.col("ip").is_in(list(self.unreadable))) if self.unreadable else new
        if new.is_empty():
            return
        dotted = new.filter(pl.col("ip").str.contains(DOTTED_IPV4))
        self.known = pl.concat([self.known, self._dotted(dotted["ip"]),
                                self._parsed(new.filter(~pl.col("ip").str.contains(DOTTED_IPV4))["ip"])])

    def _dotted(self, ips: pl.Series) -> pl.DataFrame:
        octets = ips.str.split_exact(".", 3).struct.unnest().cast(pl.Int64)
        value = (octets[:, 0] * 16_777_216 + octets[:, 1] * 65_536 + octets[:, 2] * 256
                 + octets[:, 3]).to_numpy()
        firsts, lasts = self._v4
        at = np.searchsorted(firsts, value, side="right") - 1
        if firsts.size:
            inside = (at >= 0) & (value <= lasts[np.maximum(at, 0)])
        else:
            inside = np.zeros(value.size, bool)
        ids = pl.Series(self.keys.macs(ips.to_list()), dtype=pl.Int64)
        return pl.DataFrame({"ip": ips, "address_id": ids, "ip_key": ids, "in_datacenter": inside,
                             "address": ips}, schema=ADDRESS_SCHEMA)

    def _parsed(self, ips: pl.Series) -> pl.DataFrame:
        """Addresses that are not dotted IPv4: plain IPv6 from its 16 bytes (addresses.canonical_v6), the rest
        (mapped, zones, odd spellings) through `ipaddress`. Privacy addresses share their /64, so each IP key
        is hashed once."""
        rows = []
        for text in ips.to_list():
            fast = addresses.canonical_v6(text)
            if fast is not None:
                canonical, key, value = fast
                rows.append((text, canonical, key, self.datacenters.contains_value(6, value)))
                continue
            try:
                address = addresses.parse(text)
            except addresses.AddressError:
                self.unreadable.add(text)
                continue
            rows.append((text, str(address), addresses.ip_key(address), self.datacenters.contains(address)))
        if not rows:
            return pl.DataFrame(schema=ADDRESS_SCHEMA)
        texts, canonical, key, inside = zip(*rows, strict=True)
        distinct_keys = list(dict.fromkeys(key))
        key_ids = dict(zip(distinct_keys, self.keys.macs(distinct_keys), strict=True))
        return pl.DataFrame({"ip": texts, "address_id": self.keys.macs(list(canonical)),
                             "ip_key": [key_ids[k] for k in key], "in_datacenter": inside,
                             "address": canonical},
                            schema=ADDRESS_SCHEMA)

    def stored(self) -> pl.DataFrame:
        """One row per address (two spellings of one address, such as ::ffff:a.b.c.d, are one)."""
        return self.known.unique("address_id", keep="first").drop("ip")


class StringBook:
    """Every distinct user agent, URL and referer of a load, by id."""

    def __init__(self) -> None:
        self.known = pl.DataFrame(schema={"value": pl.String, "string_id": pl.Int64})

    def add(self, values: pl.Series) -> None:
        new = values.unique().to_frame("value").join(self.known.select("value"), on="value", how="anti")
        if not new.is_empty():
            ids = pl.Series([string_id(v) for v in new["value"].to_list()], dtype=pl.Int64)
            self.known = pl.concat([self.known, new.with_columns(string_id=ids)])

    def stored(self) -> pl.DataFrame:
        return self.known.unique("string_id").select("string_id", "value")


def prepare(valid: pl.DataFrame, book: AddressBook, strings: StringBook) -> Prepared:
    book.add(valid["ip"])
    unreadable = valid["ip"].is_in(list(book.unreadable)) if book.unreadable else None
    rejected = pl.DataFrame(schema={"row_number": pl.Int64, "reason": pl.String, "record": pl.String})
    if unreadable is not None and unreadable.any():
        bad = valid.filter(unreadable)
        reason = pl.format("ip {} is not an IPv4 or IPv6 address", pl.col("ip"))
        rejected = bad.select("row_number", reason=reason,
                              record=pl.concat_str([pl.col(c).cast(pl.String).fill_null("")
                                                    for c in valid.columns[1:]], separator=","))
        valid = valid.filter(~unreadable)
    for column in STRING_COLUMNS:
        strings.add(valid[column])
    requests = valid.join(book.known.select("ip", "address_id", "ip_key"), on="ip", how="left")
    for column, id_column in STRING_COLUMNS.items():
        requests = requests.join(strings.known.rename({"value": column, "string_id": id_column}), on=column,
                                 how="left")
    return Prepared(requests.select(REQUEST_COLUMNS), rejected)


def seal_addresses(frame: pl.DataFrame, tenant_id: UUID | str, keys: addresses.AddressKeys) -> pl.DataFrame:
    """address_id, ip_key, in_datacenter and the sealed address; the plain one is dropped."""
    sealed = keys.seal_many(tenant_id, frame["address_id"].to_list(), frame["address"].to_list())
    return frame.drop("address").with_columns(sealed=pl.Series(sealed, dtype=pl.Binary))
