"""The carrier / CGNAT list as data: the shipped default, membership, imports and the CLI."""

from __future__ import annotations

import hashlib
import ipaddress
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from earmark import db
from earmark.downloads.addresses import AddressError
from earmark.downloads.lists.parse import ListError
from earmark.households import carriers

CGNAT = ipaddress.ip_network("100.64.0.0/10")


@pytest.fixture
def restore_active(database):
    """The list is platform-wide: whatever a test activates, the version active before is active after."""
    with db.connect("transformer") as conn:
        before = carriers.active(conn).version
    yield
    with db.connect("transformer") as conn, conn.transaction():
        conn.execute("update households.carrier_list_versions set active = false where active")
        conn.execute("update households.carrier_list_versions set active = true where version = %s", [before])


def versions() -> list[tuple]:
    with db.connect("transformer") as conn:
        return conn.execute("select version, sha256, source, active from households.carrier_list_versions "
                            "order by version").fetchall()


def cli(*args: str):
    from earmark.cli import app

    return CliRunner().invoke(app, ["households", "lists", *args])


def test_the_default_list_is_loaded_when_none_is_active(restore_active):
    with db.connect("transformer") as conn:
        conn.execute("update households.carrier_list_versions set active = false where active")
        conn.commit()
        loaded = carriers.active(conn)
        again = carriers.active(conn)
        assert carriers.active_networks(conn) == [CGNAT]
    text = carriers.default_text()
    assert loaded.source == carriers.DEFAULT_SOURCE
    assert loaded.cidrs.sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert again.version == loaded.version  # loaded once, then read
    assert loaded.notes == ("RFC 6598 shared address space (carrier-grade NAT)",)
    assert "Source: RFC 6598" in text and "operator adds the ranges of the carriers" in text


def test_membership_in_the_default_range():
    inside = carriers.in_networks(
        ["100.64.0.1", "100.127.255.254", "100.63.255.255", "100.128.0.0", " 100.100.1.1 ",
         "::ffff:100.64.0.9", "2001:db8::1", "192.0.2.1"], [CGNAT])
    assert inside.dtype == np.bool_
    assert inside.tolist() == [True, True, False, False, True, True, False, False]
    assert carriers.in_networks([], [CGNAT]).tolist() == []
    assert carriers.in_networks(["100.64.0.1", "2001:db8::1"], []).tolist() == [False, False]
    mixed = [ipaddress.ip_network("2001:db8:ff::/48"), ipaddress.ip_network("198.51.100.0/24"), CGNAT]
    assert carriers.in_networks(["2001:db8:ff:1::9", "2001:db8:fe::1", "198.51.100.255", "100.64.0.0"],
                                mixed).tolist() == [True, False, True, True]
    with pytest.raises(AddressError):
        carriers.in_networks(["100.64.0.1", "not-an-address"], [CGNAT])


def test_a_malformed_line_is_refused_with_its_number_and_nothing_changes(tmp_path, restore_active):
    path = tmp_path / "carriers.txt"
    path.write_text("# my carriers\n100.64.0.0/10\n203.0.113.0/33\n198.51.100.0/24\n")
    before = versions()
    done = cli("import", "--carrier-cidrs", str(path), "--json")
    assert done.exit_code == 1 and isinstance(done.exception, ListError)
    assert str(done.exception).startswith("carriers.txt line 3: '203.0.113.0/33' is not a CIDR")
    assert versions() == before
    missing = cli("import", "--carrier-cidrs", str(tmp_path / "nope.txt"))
    assert isinstance(missing.exception, ListError) and "cannot be read" in str(missing.exception)
    assert versions() == before


def test_a_valid_import_becomes_the_active_version(tmp_path, restore_active):
    path = tmp_path / "carriers.txt"
    text = ("# Example Mobile's published gateways (documentation ranges here)\n"
            "100.64.0.0/10   # RFC 6598\n\n198.51.100.7/24 # Example Mobile\n2001:db8:ff::/48\n")
    path.write_text(text)
    with db.connect("transformer") as conn:
        previous = carriers.active(conn).version
    done = cli("import", "--carrier-cidrs", str(path), "--json")
    assert done.exit_code == 0, done.output
    imported = json.loads(done.stdout)
    assert imported["version"] > previous
    assert {k: imported[k] for k in ("sha256", "source", "carrier_cidrs", "networks")} == {
        "sha256": hashlib.sha256(text.encode()).hexdigest(), "source": str(path), "carrier_cidrs": 3,
        "networks": ["100.64.0.0/10", "198.51.100.0/24", "2001:db8:ff::/48"]}
    shown = cli("show", "--json")
    assert shown.exit_code == 0 and json.loads(shown.stdout) == imported
    assert [(v, active) for v, _, _, active in versions() if active] == [(imported["version"], True)]
    with db.connect("transformer") as conn:
        networks = carriers.active_networks(conn)
        notes = conn.execute("select line, note from households.carrier_cidrs where version = %s "
                             "order by line", [imported["version"]]).fetchall()
    assert networks == [CGNAT, ipaddress.ip_network("198.51.100.0/24"),
                        ipaddress.ip_network("2001:db8:ff::/48")]
    assert notes == [(2, "RFC 6598"), (4, "Example Mobile"), (5, "")]
    assert carriers.in_networks(["198.51.100.200", "2001:db8:ff::1"], networks).tolist() == [True, True]
    plain = cli("show")
    assert plain.exit_code == 0
    assert f"active carrier list version {imported['version']}" in plain.stdout
    assert "2001:db8:ff::/48" in plain.stdout
