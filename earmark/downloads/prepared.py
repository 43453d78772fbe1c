"""A checked batch of a request log turned into what Earmark stores and counts: strings as ids, addresses as
keyed HMACs (earmark.downloads.addresses), data-centre membership decided under the active list."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from uuid import UUID

import polars as pl

from earmark.downloads import addresses
from earmark.downloads.lists.parse import CidrList

STRING_COLUMNS = {"user_agent": "ua_id", "url": "url_id", "referer": "referer_id"}


def string_id(value: str) -> int:
    """A stable 64-bit id of a string (a user agent, a URL): the same bytes always give the same id."""
    return int.from_bytes(hashlib.blake2b(value.encode(), digest_size=8).digest(), "big", signed=True)


@dataclass
class Prepared:
    requests: pl.DataFrame   # row_number, request_id, ts_ms, method, status, address_id, ip_key, ua_id, url_id,
                             # referer_id, range_kind, range_a, range_b, bytes_sent
    strings: pl.DataFrame    # string_id, value
    addresses: pl.DataFrame  # address_id, ip_key, in_datacenter, address (plain: sealed before it is stored)
    rejected: pl.DataFrame   # row_number, reason, record


def prepare(valid: pl.DataFrame, keys: addresses.AddressKeys, datacenters: CidrList) -> Prepared:
    distinct = valid["ip"].unique().to_list()
    rows, unreadable = [], []
    for text in distinct:
        try:
            address = addresses.parse(text)
        except addresses.AddressError:
            unreadable.append(text)
            continue
        canonical = str(address)
        rows.append((text, keys.address_id(canonical), keys.key_id(addresses.ip_key(address)),
                     datacenters.contains(address), canonical))
    found = pl.DataFrame(rows, schema={"ip": pl.String, "address_id": pl.Int64, "ip_key": pl.Int64,
                                       "in_datacenter": pl.Boolean, "address": pl.String}, orient="row")
    bad = valid.filter(pl.col("ip").is_in(unreadable))
    rejected = bad.select("row_number", reason=pl.format("ip {} is not an IPv4 or IPv6 address", pl.col("ip")),
                          record=pl.concat_str([pl.col(c).cast(pl.String).fill_null("") for c in valid.columns[1:]],
                                               separator=","))
    valid = valid.filter(~pl.col("ip").is_in(unreadable)) if unreadable else valid
    strings = []
    for column in STRING_COLUMNS:
        values = valid[column].unique()
        strings.append(pl.DataFrame({"string_id": [string_id(v) for v in values.to_list()], "value": values},
                                    schema={"string_id": pl.Int64, "value": pl.String}))
    string_frame = pl.concat(strings).unique("string_id")
    ids = string_frame.rename({"value": "_v"})
    requests = valid.join(found.select("ip", "address_id", "ip_key"), on="ip", how="left")
    for column, id_column in STRING_COLUMNS.items():
        requests = requests.join(ids.rename({"string_id": id_column, "_v": column}), on=column, how="left")
    requests = requests.select("row_number", "request_id", "ts_ms", "method", "status", "address_id", "ip_key",
                               "ua_id", "url_id", "referer_id", "range_kind", "range_a", "range_b", "bytes_sent")
    return Prepared(requests, string_frame, found.unique("address_id").drop("ip"), rejected)


def seal_addresses(frame: pl.DataFrame, tenant_id: UUID | str, keys: addresses.AddressKeys) -> pl.DataFrame:
    """address_id, ip_key, in_datacenter and the sealed address; the plain one is dropped."""
    sealed = [keys.seal(tenant_id, aid, text) for aid, text in zip(frame["address_id"].to_list(),
                                                                    frame["address"].to_list(), strict=True)]
    return frame.drop("address").with_columns(sealed=pl.Series(sealed, dtype=pl.Binary))
