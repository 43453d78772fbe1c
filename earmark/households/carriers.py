"""The carrier / carrier-grade NAT list (issue 17): address ranges many households share, which never match.

Data, like the downloads lists (earmark.downloads.lists): one CIDR per line with '#' comments, parsed by the
same strict parser (a malformed line refuses the whole file, naming its line, and nothing changes). Each
import is a version and one is active; the shipped default (`lists/carrier_cidrs.txt`: RFC 6598's
100.64.0.0/10) becomes version 1 the first time the list is needed, so a fresh install needs no import.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import numpy as np
import polars as pl
import psycopg

from earmark.downloads import addresses
from earmark.downloads.lists.parse import CidrList, ListError, parse_cidrs
from earmark.downloads.prepared import DOTTED_IPV4
from earmark.sqlfiles import load

DEFAULT_SOURCE = "earmark default (earmark/households/lists/carrier_cidrs.txt)"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class CarrierList:
    version: int
    cidrs: CidrList
    notes: tuple[str, ...]  # one per network, the line's '#' comment
    source: str
    loaded_at: datetime

    @property
    def networks(self) -> list[Network]:
        return [ipaddress.ip_network(text) for _, text in self.cidrs.networks]

    def as_json(self) -> dict:
        return {"version": self.version, "sha256": self.cidrs.sha256, "source": self.source,
                "loaded_at": self.loaded_at.isoformat(), "carrier_cidrs": len(self.cidrs.networks),
                "networks": [text for _, text in self.cidrs.networks]}


def _q(name: str) -> str:
    return load("earmark.households", name)


def default_text() -> str:
    return (files("earmark.households") / "lists" / "carrier_cidrs.txt").read_text("utf-8")


def import_list(conn: psycopg.Connection, path: Path | str) -> CarrierList:
    """The file parsed in full before anything is written (ListError names a malformed line); then it is the
    new active version."""
    try:
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ListError(f"{path} cannot be read as UTF-8 text ({exc.__class__.__name__}).") from None
    cidrs = parse_cidrs(text, Path(path).name)
    with conn.transaction():
        conn.execute(_q("carrier_lock"))
        _insert(conn, text, cidrs, str(path))
    return active(conn)


def _insert(conn: psycopg.Connection, text: str, cidrs: CidrList, source: str) -> int:
    conn.execute(_q("carrier_deactivate"))
    params = {"sha256": cidrs.sha256, "source": source}
    version = conn.execute(_q("carrier_insert_version"), params).fetchone()[0]
    lines = text.splitlines()
    rows = [(version, line, network, _note(lines[line - 1])) for line, network in cidrs.networks]
    with conn.cursor() as cur:
        cur.executemany(_q("carrier_insert_cidr"), rows)
    return version


def _note(line: str) -> str:
    return line.split("#", 1)[1].strip() if "#" in line else ""


def active(conn: psycopg.Connection) -> CarrierList:
    """The active version; the shipped default is loaded as the first version when none is active yet."""
    row = conn.execute(_q("carrier_active")).fetchone()
    if row is None:
        with conn.transaction():
            conn.execute(_q("carrier_lock"))
            if conn.execute(_q("carrier_active")).fetchone() is None:
                text = default_text()
                _insert(conn, text, parse_cidrs(text, "carrier_cidrs.txt"), DEFAULT_SOURCE)
        row = conn.execute(_q("carrier_active")).fetchone()
    version, sha256, source, loaded_at = row
    rows = conn.execute(_q("carrier_cidrs"), {"version": version}).fetchall()
    return CarrierList(version, CidrList(tuple((line, net) for line, net, _ in rows), sha256),
                       tuple(note for _, _, note in rows), source, loaded_at)


def active_networks(conn: psycopg.Connection) -> list[Network]:
    """The active carrier networks (the default list loaded first if none is active)."""
    return active(conn).networks


@lru_cache(maxsize=8)
def _lookup(networks: tuple[Network, ...]) -> tuple[CidrList, np.ndarray, np.ndarray]:
    cidrs = CidrList(tuple((i, str(n)) for i, n in enumerate(networks, start=1)))
    firsts, lasts = cidrs.ranges(4)
    return cidrs, np.array(firsts, np.int64), np.array(lasts, np.int64)


def in_networks(texts: list[str], networks: list[Network]) -> np.ndarray:
    """Whether each address is in one of the networks (IPv4-mapped IPv6 as its IPv4 address). Dotted IPv4
    is searched vectorised over the merged ranges; anything else through `ipaddress`. A text that is no
    address raises earmark.downloads.addresses.AddressError."""
    cidrs, firsts, lasts = _lookup(tuple(networks))
    series = pl.Series(texts, dtype=pl.String).str.strip_chars()
    dotted = series.str.contains(DOTTED_IPV4).fill_null(False).to_numpy()
    inside = np.zeros(len(texts), bool)
    if dotted.any():
        octets = series.filter(pl.Series(dotted)).str.split_exact(".", 3).struct.unnest().cast(pl.Int64)
        value = (octets[:, 0] * 16_777_216 + octets[:, 1] * 65_536 + octets[:, 2] * 256
                 + octets[:, 3]).to_numpy()
        if firsts.size:
            at = np.searchsorted(firsts, value, side="right") - 1
            inside[dotted] = (at >= 0) & (value <= lasts[np.maximum(at, 0)])
    for index in np.flatnonzero(~dotted):
        inside[index] = cidrs.contains(addresses.parse(texts[index]))
    return inside
