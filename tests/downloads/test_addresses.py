"""R3's fast IPv6 path (addresses.canonical_v6, 16 bytes through inet_pton/inet_ntop) against `ipaddress`:
the same canonical text, IP key and value for every spelling it takes, and odd spellings left to `parse`.
An address book fed a log's addresses decides each exactly as the `ipaddress` path does."""

from __future__ import annotations

import ipaddress
import random

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from earmark.downloads import addresses, prepared
from earmark.downloads.lists.parse import parse_cidrs

KEYS = addresses.AddressKeys(b"k" * 32, b"s" * 32)


def _slow(text: str) -> tuple[str, str, int]:
    address = addresses.parse(text)
    return str(address), addresses.ip_key(address), int(address)


def _spellings(value: int) -> list[str]:
    """The canonical spelling, the full one with leading zeros, upper case, and every group without ::."""
    address = ipaddress.IPv6Address(value)
    groups = ":".join(f"{int(group, 16):x}" for group in address.exploded.split(":"))
    return [address.compressed, address.exploded, address.exploded.upper(), address.compressed.upper(),
            groups]


# groups drawn so that runs of zeros of every length and position occur (RFC 5952's compression cases)
GROUP = st.one_of(st.just(0), st.just(0), st.integers(1, 0xFFFF), st.sampled_from([1, 0xFFFF, 0x100]))


@settings(max_examples=3000, deadline=None)
@given(st.lists(GROUP, min_size=8, max_size=8))
def test_the_fast_path_spells_every_address_as_ipaddress_does(groups):
    value = int.from_bytes(b"".join(g.to_bytes(2, "big") for g in groups), "big")
    for text in _spellings(value):
        fast = addresses.canonical_v6(text)
        if value >> 48 == 0:  # first 80 bits zero: inet_ntop's dotted tail, left to parse
            assert fast is None
            continue
        assert fast == _slow(text), text


def test_hand_picked_spellings_and_what_is_left_to_parse():
    assert addresses.canonical_v6("2001:DB8:0:0:1:0:0:1") == (
        "2001:db8::1:0:0:1", "2001:db8::/64", int(ipaddress.IPv6Address("2001:db8::1:0:0:1")))
    assert addresses.canonical_v6("2001:db8:0:1:0:0:0:0")[:2] == ("2001:db8:0:1::", "2001:db8:0:1::/64")
    assert addresses.canonical_v6("fe80::1:2:3:4")[:2] == ("fe80::1:2:3:4", "fe80::/64")
    # one zero group is never ::, and of two equal runs the first is
    assert addresses.canonical_v6("1:0:2:3:4:5:6:7")[0] == "1:0:2:3:4:5:6:7"
    assert addresses.canonical_v6("1:0:0:2:0:0:3:4")[0] == "1::2:0:0:3:4"
    for text in ("::ffff:192.0.2.7", "::ffff:c000:207", "::1", "::", "::192.0.2.7", "fe80::1%eth0",
                 " 2001:db8::1", "2001:db8::1::2", "2001:db8:0:0:0:0:0:0:1", "12345::1", "g::1", "192.0.2.7"):
        assert addresses.canonical_v6(text) is None, text


def _decided(book: prepared.AddressBook, ips: list[str]) -> pl.DataFrame:
    book.add(pl.Series(ips, dtype=pl.String))
    return book.known.sort("ip")


def test_an_address_book_decides_as_the_ipaddress_path_does(monkeypatch):
    cidrs = parse_cidrs("2001:db8:dc::/48\n198.51.100.0/24\n2001:db8:aa:1::/64\n")
    rng = random.Random(7)
    ips = ["2001:db8:dc:5::9", "2001:db8:dc::1", "2001:db8:aa:1::77", "2001:db8:aa:2::77",
           "::ffff:198.51.100.9", "fe80::1%eth0", "2001:DB8:1:2:0:0:0:1", "not an address",
           "198.51.100.3", "::1"]
    prefixes = [0x2001_0DB8_0001_0000 + rng.randrange(40) for _ in range(500)]
    ips += [str(ipaddress.IPv6Address((prefix << 64) + rng.getrandbits(64))) for prefix in prefixes]
    fast = _decided(prepared.AddressBook(KEYS, cidrs), ips)
    monkeypatch.setattr(addresses, "canonical_v6", lambda text: None)
    slow_book = prepared.AddressBook(KEYS, cidrs)
    slow = _decided(slow_book, ips)
    assert fast.equals(slow)
    assert slow_book.unreadable == {"not an address"}
    inside = dict(fast.select("ip", "in_datacenter").iter_rows())
    assert inside["2001:db8:dc:5::9"] and inside["2001:db8:aa:1::77"] and inside["::ffff:198.51.100.9"]
    assert not inside["2001:db8:aa:2::77"]
    # the 500 privacy addresses fall in at most 40 /64s: at most 40 IP keys
    random_rows = fast.filter(pl.col("ip").str.starts_with("2001:db8:1:"))
    assert random_rows.height == 500 and random_rows["ip_key"].n_unique() <= 40
