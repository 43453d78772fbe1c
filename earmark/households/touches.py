"""Listener signals into touches, by one dedupe order (earmark.households.signals.PRECEDENCE): promo code >
vanity URL > survey > household match, per conversion and campaign.

A touch belongs to the user's first conversion at or after it, at most the tenant's lookback earlier (the
same rule as fct_touch_credits); for each (conversion, campaign) only the highest signal stays: a lower raw
touch is suppressed (households.suppressed), a lower household touch is not made. A conversion that names a
promo code the catalog knows gets a promo_code touch at its own time. Pure: frames in, frames out.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta

import polars as pl

from earmark.households import signals

# A candidate touch: what households.signal_touches holds, with where it came from (`origin`: a raw event
# that gets suppressed when it loses, or one Earmark makes only when it wins).
CANDIDATES = {
    "event_id": pl.String,
    "user_id": pl.String,
    "occurred_at": pl.Datetime("us", "UTC"),
    "kind": pl.String,
    "channel": pl.String,
    "campaign_id": pl.String,
    "show_id": pl.String,
    "episode_id": pl.String,
    "placement_id": pl.String,
    "source_event_id": pl.String,
    "origin": pl.String,
}


def _candidate(row: dict, event_id: str, kind: str, channel: str, campaign_id: str | None,
               show_id: str | None, source_event_id: str, origin: str, *, occurred_at: datetime | None = None,
               episode_id: str | None = None, placement_id: str | None = None) -> dict:
    """One candidate touch of `row`'s user, at the row's time unless given."""
    return {"event_id": event_id, "user_id": row["user_id"],
            "occurred_at": row["occurred_at"] if occurred_at is None else occurred_at, "kind": kind,
            "channel": channel, "campaign_id": campaign_id, "show_id": show_id, "episode_id": episode_id,
            "placement_id": placement_id, "source_event_id": source_event_id, "origin": origin}


def touch_id(*parts: str) -> str:
    return "hh:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def assign_conversions(touches: pl.DataFrame, conversions: pl.DataFrame, lookback: timedelta) -> pl.DataFrame:
    """Each touch's conversion: the user's first conversion at or after it, if at most `lookback` later."""
    if touches.is_empty() or conversions.is_empty():
        return touches.with_columns(pl.lit(None, pl.String).alias("conversion_event_id"))
    convs = conversions.select(
        "user_id",
        pl.col("occurred_at").alias("converted_at"),
        pl.col("event_id").alias("conversion_event_id"),
    ).sort("converted_at")
    joined = touches.sort("occurred_at").join_asof(
        convs, left_on="occurred_at", right_on="converted_at", by="user_id", strategy="forward",
        check_sortedness=False,  # both sides are sorted by time; polars cannot check it per user group
    )
    return joined.with_columns(
        pl.when(pl.col("converted_at") - pl.col("occurred_at") <= lookback)
        .then(pl.col("conversion_event_id"))
        .otherwise(None)
        .alias("conversion_event_id")
    ).drop("converted_at")


def survey_link(answer: str, day: date, catalog_rows: list[dict], campaigns: list[dict]) -> dict | None:
    """The show or advertiser a survey answer names, and the campaign it stands for on that day (the only
    campaign running on the show, or of the advertiser, then)."""
    shows = [(r["id"], r["name"]) for r in catalog_rows if r["kind"] == "show"]
    advertisers = [
        (r["id"], r["name"], r["aliases"] or []) for r in catalog_rows if r["kind"] == "advertiser"
    ]
    found = signals.match_survey(answer, shows, advertisers)
    if found is None:
        return None
    running = [
        c
        for c in campaigns
        if (c["starts_on"] is None or c["starts_on"] <= day) and (c["ends_on"] is None or day <= c["ends_on"])
    ]
    key = "show_id" if found.kind == "show" else "advertiser_id"
    candidates = {c["campaign_id"] for c in running if c[key] == found.id}
    campaign = next(iter(candidates)) if len(candidates) == 1 else None
    return {
        "matched_kind": found.kind,
        "matched_id": found.id,
        "campaign_id": campaign,
        "show_id": found.id if found.kind == "show" else None,
        "confidence": round(found.confidence, 4),
    }


def build(
    journey: pl.DataFrame,
    matches: pl.DataFrame,
    catalog_rows: list[dict],
    campaigns: list[dict],
    lookback: timedelta,
) -> tuple[pl.DataFrame, list[dict], list[dict]]:
    """The touches to add (household, promo code), the raw touches to suppress, and the survey links."""
    conversions = journey.filter(pl.col("event_type") == "conversion")
    candidates: list[dict] = []
    # a conversion's own promo code: a touch at the conversion's time
    for row in conversions.filter(pl.col("code_campaign_id").is_not_null()).iter_rows(named=True):
        candidates.append(_candidate(row, "pc:" + row["event_id"], "promo_code", "promo_code",
                                     row["code_campaign_id"], row["code_show_id"], row["event_id"],
                                     "earmark"))
    touches_raw = journey.filter(pl.col("event_type") != "conversion")
    links = []
    for row in touches_raw.iter_rows(named=True):
        kind, campaign, show = None, row["campaign_id"], row["show_id"]
        if row["promo_code"] is not None and (row["code_campaign_id"] or campaign):
            kind, campaign = "promo_code", row["code_campaign_id"] or campaign
        elif row["vanity_url"] is not None and (row["url_campaign_id"] or campaign):
            kind, campaign = "vanity_url", row["url_campaign_id"] or campaign
        elif row["survey_answer"]:
            link = survey_link(row["survey_answer"], row["occurred_at"].date(), catalog_rows, campaigns)
            if link is not None:
                links.append({"event_id": row["event_id"], **link})
                kind, campaign, show = "survey", link["campaign_id"], link["show_id"]
        if kind and campaign:
            candidates.append(_candidate(row, row["event_id"], kind, row["channel"], campaign, show,
                                         row["event_id"], "raw"))
    for row in matches.iter_rows(named=True):
        candidates.append(_candidate(
            row, touch_id(row["download_id"], row["ad_id"], row["user_id"]), "household", "podcast",
            row["campaign_id"], row["show_id"], f"{row['download_id']}/{row['ad_id']}", "earmark",
            occurred_at=row["exposed_at"], episode_id=row["episode_id"], placement_id=row["placement_id"]))
    frame = (
        pl.DataFrame(candidates, schema=CANDIDATES, orient="row") if candidates
        else pl.DataFrame(schema=CANDIDATES)
    )
    frame = assign_conversions(frame, conversions, lookback)
    kept_ids: set[str] = set()
    suppressed: list[dict] = []
    with_conversion = frame.filter(pl.col("conversion_event_id").is_not_null())
    by_id = {r["event_id"]: r for r in with_conversion.iter_rows(named=True)}
    winners = signals.dedupe(
        signals.Signal(
            r["conversion_event_id"],
            r["campaign_id"],
            r["show_id"],
            r["kind"],
            r["occurred_at"],
            1.0,
            r["event_id"],
        )
        for r in by_id.values()
    )
    winner_of = {(w.conversion_id, w.campaign_id): w for w in winners}
    for r in by_id.values():
        won = winner_of[(r["conversion_event_id"], r["campaign_id"])]
        if won.source_event_id == r["event_id"]:
            kept_ids.add(r["event_id"])
        elif r["origin"] == "raw":
            suppressed.append(
                {
                    "event_id": r["event_id"],
                    "user_id": r["user_id"],
                    "occurred_at": r["occurred_at"],
                    "conversion_event_id": r["conversion_event_id"],
                    "campaign_id": r["campaign_id"],
                    "kept_kind": won.kind,
                    "dropped_kind": r["kind"],
                }
            )
    # touches that close no conversion (yet) stay: a later conversion's run dedupes them then
    loose = frame.filter(pl.col("conversion_event_id").is_null())
    added = pl.concat([with_conversion.filter(pl.col("event_id").is_in(list(kept_ids))), loose])
    added = added.filter(pl.col("origin") == "earmark").drop("origin", "conversion_event_id")
    return added, suppressed, links
