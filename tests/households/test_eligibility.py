"""Which pixel events may match: residential addresses only (data-centre and carrier ranges never match),
judged from the sealed address; and the window's edges in the matching function itself."""

from __future__ import annotations

import ipaddress
import uuid
from datetime import UTC, datetime, timedelta

import polars as pl

from earmark.downloads.lists.parse import parse_cidrs
from earmark.households import eligibility, matching
from earmark.ingest import pixels

TENANT = str(uuid.UUID(int=7))
DATACENTER = parse_cidrs("# a cloud of the test's own\n203.0.113.0/24\n2001:db8:dc::/48\n")
CARRIERS = [ipaddress.ip_network("100.64.0.0/10")]


def test_each_pixel_event_is_classed_from_its_sealed_address(database):
    addresses = {
        "p1": "198.51.100.7",
        "p2": "203.0.113.9",
        "p3": "100.64.0.1",
        "p4": "2001:db8:dc::1",
        "p5": "::ffff:100.127.255.254",
        "p6": "100.128.0.0",
    }
    frame = pl.DataFrame(
        {
            "event_id": list(addresses),
            "ip_sealed": [
                pixels.seal_event_ip(TENANT, event_id, text) for event_id, text in addresses.items()
            ],
        }
    )
    classed = eligibility.classify_pixels(TENANT, frame, DATACENTER, CARRIERS)
    assert dict(zip(classed["event_id"], classed["address_class"], strict=True)) == {
        "p1": "residential",
        "p2": "datacenter",
        "p3": "carrier",
        "p4": "datacenter",
        "p5": "carrier",
        "p6": "residential",
    }


def test_the_window_includes_its_last_second_only():
    at = datetime(2026, 11, 2, 8, tzinfo=UTC)
    exposures = pl.DataFrame(
        {
            "download_id": ["d1"],
            "ad_id": ["a1"],
            "household_key": [42],
            "exposed_at": [at],
            "day": [at.date()],
            "episode_id": ["e1"],
            "placement_id": ["p1"],
            "campaign_id": ["c1"],
            "show_id": ["s1"],
        }
    )
    visits = pl.DataFrame(
        {
            "event_id": ["before", "edge", "late", "other"],
            "user_id": ["u1", "u2", "u3", "u4"],
            "occurred_at": [
                at - timedelta(seconds=1),
                at + timedelta(days=30),
                at + timedelta(days=30, seconds=1),
                at + timedelta(hours=1),
            ],
            "household_key": [42, 42, 42, 43],
        }
    )
    found = matching.match(exposures, visits, timedelta(days=30))
    assert found.select("user_id", "first_visit_event_id").rows() == [("u2", "edge")]
