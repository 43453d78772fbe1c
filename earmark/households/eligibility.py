"""Which traffic may match, for matching and lift alike: only residential, unshared households.

A pixel event from a data-centre address (the downloads data-centre list) or a carrier / CGNAT range (the
households carrier list) never matches; neither does a household that showed more than
`shared_household_agents` distinct user agents on one UTC day in the request logs and pixel events together
(a shared household: an office, a campus, a carrier gateway). Households code opens sealed addresses
only here, to classify them; no address leaves this module.
"""

from __future__ import annotations

import ipaddress

import numpy as np
import polars as pl
import psycopg

from earmark.downloads.addresses import AddressKeys
from earmark.households import carriers, store
from earmark.ingest import pixels

PIXELS = {
    "event_id": pl.String,
    "user_id": pl.String,
    "occurred_at": pl.Datetime("us", "UTC"),
    "event_type": pl.String,
    "household_key": pl.Int64,
    "ip_sealed": pl.Binary,
    "user_agent": pl.String,
}


def pixel_events(conn: psycopg.Connection, params: dict) -> pl.DataFrame:
    """The tenant's pixel events with a household key (params: tenant_id, mode)."""
    return store.frame(conn, "pixel_events", params, PIXELS)


def classify_pixels(tenant_id: str, pixels_frame: pl.DataFrame, datacenter, carrier_networks) -> pl.DataFrame:
    """Each pixel event's address class: residential, datacenter or carrier (opened from its sealed form).
    A data-centre address is a data-centre one even inside a carrier range."""
    found = [ipaddress.ip_address(pixels.open_event_ip(tenant_id, event_id, sealed)) for event_id, sealed
             in zip(pixels_frame["event_id"].to_list(), pixels_frame["ip_sealed"].to_list(), strict=True)]
    in_datacenter = np.array([datacenter.contains(address) for address in found], bool)
    # one vectorised lookup for every address, not one call per event
    in_carrier = (carriers.in_networks([str(address) for address in found], carrier_networks) if found
                  else np.zeros(0, bool))
    classes = np.where(in_datacenter, "datacenter", np.where(in_carrier, "carrier", "residential"))
    return pixels_frame.with_columns(pl.Series("address_class", classes.tolist(), dtype=pl.String))


def carrier_keys(conn: psycopg.Connection, tenant_id: str, keys: list[int], carrier_networks) -> set[int]:
    """The IP keys (of exposures) with an address in a carrier range."""
    if not keys:
        return set()
    opener = AddressKeys.from_settings()
    found = set()
    rows = conn.execute(store.q("household_addresses"), {"tenant_id": tenant_id, "keys": keys}).fetchall()
    texts = [opener.open(tenant_id, address_id, sealed) for _, address_id, sealed in rows]
    inside = carriers.in_networks(texts, carrier_networks) if texts else np.zeros(0, bool)
    for (ip_key, _, _), hit in zip(rows, inside, strict=True):
        if hit:
            found.add(int(ip_key))
    return found


def shared_households(
    conn: psycopg.Connection,
    tenant_id: str,
    mode: str,
    pixels_frame: pl.DataFrame,
    keys: list[int],
    limit: int,
) -> set[int]:
    """Households with more than `limit` distinct user agents on some UTC day (logs and pixel together)."""
    logged = store.frame(
        conn,
        "download_agents",
        {"tenant_id": tenant_id, "mode": mode, "keys": keys},
        {"household_key": pl.Int64, "day": pl.Date, "user_agent": pl.String},
    )
    seen = pixels_frame.filter(pl.col("user_agent").is_not_null()).select(
        "household_key", pl.col("occurred_at").dt.date().alias("day"), "user_agent"
    )
    agents = pl.concat([logged, seen])
    if agents.is_empty():
        return set()
    per_day = agents.group_by("household_key", "day").agg(pl.col("user_agent").n_unique().alias("agents"))
    return set(per_day.filter(pl.col("agents") > limit)["household_key"].to_list())
