"""A campaign's lift from Earmark's own data: the inputs earmark.households.lift compares, and the nightly
results.

Strata are (show, ISO week) cells the campaign delivered in. Exposed: households delivered at least one of
its ads on that show that week (from their first exposure there). Control: households that downloaded an
episode of the same show the same week without a delivered ad of the campaign that week (for example before
a dynamic ad was inserted, or when another ad was served), from their first download there. A household's
outcome is 1 when a residential, unshared pixel event of it (any event for visits, a conversion for
conversions) falls in the tenant's matching window after that moment. Households in a carrier range or
shared are left out of both groups, as in matching.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from uuid import UUID

import numpy as np
import polars as pl

from earmark import db
from earmark.downloads.lists import store as download_lists
from earmark.households import carriers, eligibility, store
from earmark.households.lift import Lift, lift

METRICS = ("visits", "conversions")
CELLS = {
    "household_key": pl.Int64,
    "show_id": pl.String,
    "week": pl.Date,
    "first_at": pl.Datetime("us", "UTC"),
}


class TenantData:
    """What every campaign of one tenant shares: its listens, pixel events and excluded households."""

    def __init__(self, tenant_id: str) -> None:
        self.tenant_id = tenant_id
        with db.connect("transformer") as conn, db.tenant_transaction(conn, tenant_id):
            self.settings = store.settings_of(conn, tenant_id)
            self.params = {"tenant_id": tenant_id, "mode": self.settings.download_window}
            self.listens = store.frame(conn, "listens_by_week", self.params, CELLS)
            pixels = eligibility.pixel_events(conn, self.params)
            datacenter = download_lists.active(conn).cidrs
            networks = carriers.active_networks(conn)
            keys = sorted(set(self.listens["household_key"].to_list()))
            self.excluded = eligibility.carrier_keys(
                conn, tenant_id, keys, networks
            ) | eligibility.shared_households(
                conn,
                tenant_id,
                self.settings.download_window,
                pixels,
                keys,
                self.settings.shared_household_agents,
            )
            delivered = conn.execute(store.q("campaigns_delivered"), self.params).fetchall()
            self.campaigns = [r[0] for r in delivered]
        pixels = eligibility.classify_pixels(tenant_id, pixels, datacenter, networks)
        self.pixels = pixels.filter(pl.col("address_class") == "residential").select(
            "household_key", "occurred_at", "event_type"
        )

    def campaign(self, campaign_id: str) -> dict[str, Lift]:
        with db.connect("transformer") as conn, db.tenant_transaction(conn, self.tenant_id):
            exposed = store.frame(conn, "campaign_exposures", {**self.params, "campaign_id": campaign_id},
                                  CELLS)
        return campaign_lift(
            exposed, self.listens, self.pixels, self.excluded, timedelta(days=self.settings.match_window_days)
        )


def campaign_lift(
    exposed: pl.DataFrame, listens: pl.DataFrame, pixels: pl.DataFrame, excluded: set[int], window: timedelta
) -> dict[str, Lift]:
    """Lift of visits and conversions from exposed cells, every listen cell, pixel events and exclusions."""
    cells = exposed.select("show_id", "week").unique()
    exposed_keys = exposed.select("household_key", "show_id", "week").with_columns(
        pl.lit(True).alias("exposed")
    )
    pool = listens.join(cells, on=["show_id", "week"]).join(
        exposed_keys, on=["household_key", "show_id", "week"], how="left"
    )
    # a household exposed to the campaign anywhere that week is no control household of it
    exposed_weeks = (
        exposed.select("household_key", "week").unique().with_columns(pl.lit(True).alias("that_week"))
    )
    control = (
        pool.filter(pl.col("exposed").is_null())
        .join(exposed_weeks, on=["household_key", "week"], how="left")
        .filter(pl.col("that_week").is_null())
        .select("household_key", "show_id", "week", "first_at")
        .with_columns(pl.lit(False).alias("exposed"))
    )
    groups = pl.concat([exposed.with_columns(pl.lit(True).alias("exposed")), control])
    groups = groups.filter(~pl.col("household_key").is_in(list(excluded)))
    cell = pl.concat_str([pl.col("show_id"), pl.col("week").cast(pl.String)], separator="|")
    strata = groups.select(cell.rank("dense").alias("stratum")).to_series().to_numpy()
    results: dict[str, Lift] = {}
    if groups.is_empty():
        return results
    for metric in METRICS:
        events = pixels if metric == "visits" else pixels.filter(pl.col("event_type") == "conversion")
        outcome = _outcome(groups, events, window)
        results[metric] = lift(strata.astype(np.int64), groups["exposed"].to_numpy(), outcome, metric=metric)
    return results


def _outcome(groups: pl.DataFrame, events: pl.DataFrame, window: timedelta) -> np.ndarray:
    """1 where the household has an event in (first_at, first_at + window]."""
    if groups.is_empty():
        return np.zeros(0, np.int64)
    keyed = groups.with_row_index("row")
    if events.is_empty():
        return np.zeros(groups.height, np.int64)
    joined = keyed.join(events.select("household_key", "occurred_at"), on="household_key")
    hit = (
        joined.filter(
            (pl.col("occurred_at") >= pl.col("first_at"))
            & (pl.col("occurred_at") <= pl.col("first_at") + window)
        )["row"]
        .unique()
        .to_numpy()
    )
    out = np.zeros(groups.height, np.int64)
    out[hit] = 1
    return out


def tenant_lifts(tenant_id: UUID | str, campaign_id: str | None = None) -> dict[str, dict[str, Lift]]:
    data = TenantData(str(tenant_id))
    campaigns = [campaign_id] if campaign_id else data.campaigns
    return {c: data.campaign(c) for c in campaigns}


def store_tenant(tenant_id: UUID | str, as_of: date) -> dict[str, dict[str, Lift]]:
    """Compute every delivered campaign's lift and replace the night's results in one transaction."""
    found = tenant_lifts(tenant_id)
    with db.connect("transformer") as conn, db.tenant_transaction(conn, str(tenant_id)):
        conn.execute(store.q("lift_replace"), {"tenant_id": str(tenant_id), "as_of": as_of})
        for campaign_id, by_metric in found.items():
            for metric, result in by_metric.items():
                conn.execute(
                    store.q("lift_insert"),
                    {
                        "tenant_id": str(tenant_id),
                        "as_of": as_of,
                        "campaign_id": campaign_id,
                        "metric": metric,
                        "result": json.dumps(result.as_json(), default=str),
                    },
                )
    return found
