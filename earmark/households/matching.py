"""Household matching and listener signals: what the nightly household_matches asset computes per tenant.

1. Exposures: every delivered ad of a sold slot (downloads.delivered_ads, in the tenant's download window
   mode) is an exposure of the listener's household (its IP key) at the time the download qualified.
2. Eligibility (earmark.households.eligibility): only residential, unshared households match. Exposures
   are already free of data-centre addresses (IAB counting drops them);
   an exposure whose IP key belongs to a carrier range is excluded too.
3. Match: a pixel event of the same household at or after the exposure and at most `match_window_days`
   later (exactly the window matches, a second more does not). One match per exposure and user: its first
   visit.
4. Signals (earmark.households.touches): promo code > vanity URL > survey > household, one touch per
   conversion and campaign.
5. Written in one transaction per tenant: matches, exposure days, survey links, suppressions, and the touches
   attribution reads (households.signal_touches). A touch made again unchanged keeps its loaded_at; one no
   longer made becomes a suppressed row, so attribution recomputes the dates it touched exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from uuid import UUID

import polars as pl
import psycopg
from psycopg.rows import dict_row

from earmark import db
from earmark.downloads.lists import store as download_lists
from earmark.households import carriers, eligibility, store
from earmark.households import touches as signal_touches


@dataclass
class Summary:
    """What one tenant's run found; the asset's metadata."""

    exposures: int = 0
    eligible_exposures: int = 0
    matched_exposures: int = 0
    pixel_visitors: int = 0
    matched_visitors: int = 0
    excluded: dict[str, int] = field(default_factory=dict)
    touches: dict[str, int] = field(default_factory=dict)
    suppressed: int = 0
    survey_links: int = 0

    def as_json(self) -> dict:
        return {
            "exposures": self.exposures,
            "eligible_exposures": self.eligible_exposures,
            "matched_exposures": self.matched_exposures,
            "pixel_visitors": self.pixel_visitors,
            "matched_visitors": self.matched_visitors,
            "excluded": self.excluded,
            "touches": self.touches,
            "suppressed": self.suppressed,
            "survey_links": self.survey_links,
        }


EXPOSURES = {
    "download_id": pl.String,
    "ad_id": pl.String,
    "household_key": pl.Int64,
    "exposed_at": pl.Datetime("us", "UTC"),
    "day": pl.Date,
    "episode_id": pl.String,
    "placement_id": pl.String,
    "campaign_id": pl.String,
    "show_id": pl.String,
}
JOURNEY = {
    "event_id": pl.String,
    "user_id": pl.String,
    "occurred_at": pl.Datetime("us", "UTC"),
    "event_type": pl.String,
    "channel": pl.String,
    "campaign_id": pl.String,
    "show_id": pl.String,
    "promo_code": pl.String,
    "vanity_url": pl.String,
    "survey_answer": pl.String,
    "code_campaign_id": pl.String,
    "code_show_id": pl.String,
    "url_campaign_id": pl.String,
}



# ---- matching --------------------------------------------------------------------------------------------


def match(exposures: pl.DataFrame, visits: pl.DataFrame, window: timedelta) -> pl.DataFrame:
    """Per exposure and user of the same household: the first visit at or after the exposure, at most
    `window` later."""
    if exposures.is_empty() or visits.is_empty():
        return pl.DataFrame(
            schema={
                **EXPOSURES,
                "user_id": pl.String,
                "first_visit_event_id": pl.String,
                "first_visit_at": pl.Datetime("us", "UTC"),
            }
        )
    joined = exposures.join(
        visits.select(
            "household_key",
            "user_id",
            pl.col("event_id").alias("visit_id"),
            pl.col("occurred_at").alias("visit_at"),
        ),
        on="household_key",
    )
    inside = joined.filter(
        (pl.col("visit_at") >= pl.col("exposed_at")) & (pl.col("visit_at") <= pl.col("exposed_at") + window)
    )
    return (
        inside.sort("visit_at", "visit_id")
        .group_by("download_id", "ad_id", "user_id", maintain_order=True)
        .agg(
            pl.all().exclude("visit_id", "visit_at").first(),
            pl.col("visit_id").first().alias("first_visit_event_id"),
            pl.col("visit_at").first().alias("first_visit_at"),
        )
    )


# ---- one tenant --------------------------------------------------------------------------------------------


def run_tenant(tenant_id: UUID | str) -> Summary:
    """Match, link, dedupe and write one tenant's households data (idempotent: a rerun writes the same)."""
    tenant_id = str(tenant_id)
    summary = Summary()
    with db.connect("transformer") as conn:
        with db.tenant_transaction(conn, tenant_id):
            config = store.settings_of(conn, tenant_id)
            params = {"tenant_id": tenant_id, "mode": config.download_window}
            exposures = store.frame(conn, "exposures", params, EXPOSURES)
            pixel_events = eligibility.pixel_events(conn, params)
            journey = store.frame(conn, "journey_events", params, JOURNEY)
            with conn.cursor(row_factory=dict_row) as cur:
                catalog_rows = cur.execute(store.q("survey_catalog"), params).fetchall()
                campaigns = cur.execute(store.q("survey_campaigns"), params).fetchall()
            datacenter = download_lists.active(conn).cidrs
            carrier_networks = carriers.active_networks(conn)
            keys = sorted(
                set(exposures["household_key"].to_list()) | set(pixel_events["household_key"].to_list())
            )
            carrier_exposed = eligibility.carrier_keys(
                conn, tenant_id, sorted(set(exposures["household_key"].to_list())), carrier_networks
            )
            shared = eligibility.shared_households(
                conn, tenant_id, config.download_window, pixel_events, keys, config.shared_household_agents
            )

        pixel_events = eligibility.classify_pixels(tenant_id, pixel_events, datacenter, carrier_networks)
        visits = pixel_events.filter(
            (pl.col("address_class") == "residential") & ~pl.col("household_key").is_in(list(shared))
        )
        exposures = exposures.with_columns(
            pl.when(pl.col("household_key").is_in(list(carrier_exposed)))
            .then(pl.lit("carrier"))
            .when(pl.col("household_key").is_in(list(shared)))
            .then(pl.lit("shared"))
            .otherwise(pl.lit("eligible"))
            .alias("eligibility")
        )
        eligible = exposures.filter(pl.col("eligibility") == "eligible")
        matches = match(eligible.drop("eligibility"), visits, timedelta(days=config.match_window_days))
        summary.exposures, summary.eligible_exposures = exposures.height, eligible.height
        summary.matched_exposures = matches.select("download_id", "ad_id").n_unique() if matches.height else 0
        summary.pixel_visitors = pixel_events["user_id"].n_unique()
        summary.matched_visitors = matches["user_id"].n_unique() if matches.height else 0
        pixel_classes = pixel_events.group_by("address_class").len()
        summary.excluded = {
            "pixel_events_datacenter": _count(pixel_classes, "datacenter"),
            "pixel_events_carrier": _count(pixel_classes, "carrier"),
            "exposures_carrier": exposures.filter(pl.col("eligibility") == "carrier").height,
            "exposures_shared": exposures.filter(pl.col("eligibility") == "shared").height,
            "shared_households": len(shared),
        }

        touches, suppressed, links = signal_touches.build(
            journey, matches, catalog_rows, campaigns, timedelta(days=config.lookback_days)
        )
        summary.touches = dict(touches.group_by("kind").len().iter_rows()) if touches.height else {}
        summary.suppressed, summary.survey_links = len(suppressed), len(links)
        days = _exposure_days(exposures, matches)
        _write(conn, tenant_id, matches, days, touches, suppressed, links)
    return summary


def _count(frame: pl.DataFrame, value: str) -> int:
    found = frame.filter(pl.col("address_class") == value)
    return int(found["len"][0]) if found.height else 0


def _exposure_days(exposures: pl.DataFrame, matches: pl.DataFrame) -> pl.DataFrame:
    if exposures.is_empty():
        return pl.DataFrame()
    matched = (
        matches.select("download_id", "ad_id").unique().with_columns(pl.lit(True).alias("matched"))
        if matches.height
        else pl.DataFrame(schema={"download_id": pl.String, "ad_id": pl.String, "matched": pl.Boolean})
    )
    frame = exposures.join(matched, on=["download_id", "ad_id"], how="left")
    return (
        frame.group_by("day", "campaign_id", "show_id")
        .agg(
            pl.len().alias("exposures"),
            pl.col("household_key").n_unique().alias("households"),
            (pl.col("eligibility") == "eligible").sum().alias("eligible"),
            pl.col("matched").fill_null(False).sum().alias("matched"),
            pl.lit(0).alias("excluded_datacenter"),
            (pl.col("eligibility") == "carrier").sum().alias("excluded_carrier"),
            (pl.col("eligibility") == "shared").sum().alias("excluded_shared"),
        )
        .sort("day", "campaign_id", "show_id")
    )


def _write(
    conn: psycopg.Connection,
    tenant_id: str,
    matches: pl.DataFrame,
    days: pl.DataFrame,
    touches: pl.DataFrame,
    suppressed: list[dict],
    links: list[dict],
) -> None:
    base = {"tenant_id": tenant_id}
    with db.tenant_transaction(conn, tenant_id):
        for name in ("clear", "clear_exposure_days", "clear_survey_links"):
            conn.execute(store.q(name), base)
        with conn.cursor() as cur:
            if matches.height:
                cur.executemany(
                    store.q("insert_match"),
                    [
                        {**base, **r}
                        for r in matches.select(
                            "download_id",
                            "ad_id",
                            "user_id",
                            "exposed_at",
                            "household_key",
                            "campaign_id",
                            "show_id",
                            "episode_id",
                            "placement_id",
                            "first_visit_event_id",
                            "first_visit_at",
                        ).iter_rows(named=True)
                    ],
                )
            if days.height:
                cur.executemany(
                    store.q("insert_exposure_day"), [{**base, **r} for r in days.iter_rows(named=True)]
                )
            if links:
                cur.executemany(store.q("insert_survey_link"), [{**base, **r} for r in links])
            keep_raw = [r["event_id"] for r in suppressed]
            cur.execute(store.q("suppressed_retire"), {**base, "keep": keep_raw})
            if suppressed:
                cur.executemany(store.q("insert_suppressed"), [{**base, **r} for r in suppressed])
            keep = touches["event_id"].to_list() if touches.height else []
            cur.execute(store.q("touches_retire"), {**base, "keep": keep})
            cur.execute(store.q("touches_revive"), {**base, "keep": keep})
            if touches.height:
                cur.executemany(store.q("touches_upsert"),
                                [{**base, **r} for r in touches.iter_rows(named=True)])
