"""A demo tenant's catalog as the rows `earmark catalog import` takes, one list per kind, in the order
they can be imported: what the tenant bought, plus the episodes' files and ad slots and the impressions a
host would report per placement and day."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

from earmark.demo.catalog import DemoCatalog

BYTES_PER_SECOND = 16_000  # 128 kbit/s MP3
SPOT_SECONDS = {"pre": 30, "mid": 60, "post": 30}
# Share of a placement's impressions on each day of its flight: most in the first days after release.
DECAY_DAYS = 4.0


def catalog_rows(catalog: DemoCatalog, seed: int = 7) -> dict[str, list[dict]]:
    rng = np.random.default_rng([seed, 3])
    episodes = _episodes(rng, catalog)
    return {
        "advertisers": [
            {"advertiser_id": a["advertiser_id"], "name": a["name"], "aliases": _aliases(a["name"]),
             "domains": [a["domain"]], "kind": "advertiser"}
            for a in catalog.advertisers.iter_rows(named=True)],
        "shows": [
            {"show_id": s["show_id"], "title": s["name"], "feed_url": f"https://feeds.example.com/{s['show_id']}",
             "network": None, "hosts": []}
            for s in catalog.shows.iter_rows(named=True)],
        "episodes": episodes.drop("duration").to_dicts(),
        "campaigns": [
            {"campaign_id": c["campaign_id"], "advertiser_id": c["advertiser_id"], "name": c["name"],
             "starts_on": c["starts_on"], "ends_on": c["ends_on"], "currency": "USD", "budget": None}
            for c in catalog.campaigns.iter_rows(named=True)],
        "placements": catalog.placements.select(
            "placement_id", "campaign_id", "show_id", "episode_id", "slot", "kind", "pricing", "rate",
            "starts_on", "ends_on").to_dicts(),
        "ad_slots": _ad_slots(catalog.placements, episodes),
        "promo_codes": catalog.promo_codes.select("code", "campaign_id", "show_id").to_dicts(),
        "vanity_urls": catalog.vanity_urls.select("url", "campaign_id", "show_id").to_dicts(),
        "deliveries": _deliveries(catalog.placements, catalog.start + timedelta(days=catalog.days - 1)),
    }


def _aliases(name: str) -> list[str]:
    """Other spellings a host may say: "and" for "&" and back, the name without its last word."""
    spoken = {name.replace(" & ", " and "), name.replace(" and ", " & "), name.rsplit(" ", 1)[0]}
    return sorted(spoken - {name})


def _episodes(rng: np.random.Generator, catalog: DemoCatalog) -> pl.DataFrame:
    count = catalog.episodes.height
    duration = rng.integers(1_500, 4_200, count)
    id3 = rng.integers(20_000, 200_000, count)
    return catalog.episodes.select(
        "episode_id", "show_id",
        published_at="released_at",
        enclosure_url=pl.format("https://media.example.com/{}/{}.mp3", "show_id", "episode_id"),
        bytes_total=pl.Series(id3 + duration * BYTES_PER_SECOND),
        duration_s=pl.Series(duration),
        id3_bytes=pl.Series(id3),
        duration=pl.Series(duration),
    )


def _ad_slots(placements: pl.DataFrame, episodes: pl.DataFrame) -> list[dict]:
    """Each placement's spot in its episode's file: after the ID3 header (pre), at the middle (mid) or a
    minute before the end (post); baked in for a host read, inserted per download otherwise."""
    rows = []
    files = {e["episode_id"]: e for e in episodes.iter_rows(named=True)}
    for placement in placements.iter_rows(named=True):
        file = files[placement["episode_id"]]
        length = SPOT_SECONDS[placement["slot"]] * BYTES_PER_SECOND
        audio_start, audio_end = file["id3_bytes"], file["bytes_total"] - 1
        start = {"pre": audio_start, "mid": (audio_start + audio_end) // 2,
                 "post": audio_end - 60 * BYTES_PER_SECOND}[placement["slot"]]
        rows.append({"ad_id": "ad-" + placement["placement_id"].removeprefix("plc-"),
                     "episode_id": placement["episode_id"],
                     "kind": "baked" if placement["kind"] == "host_read" else "dai",
                     "start_byte": start, "end_byte": min(start + length - 1, audio_end),
                     "placement_id": placement["placement_id"]})
    return rows


def _deliveries(placements: pl.DataFrame, last_day: date) -> list[dict]:
    """The impressions a host reports per placement and day: the placement's goal over its flight, most of
    it in the first days after release; nothing after the window's last day."""
    rows = []
    for placement in placements.iter_rows(named=True):
        days = (placement["ends_on"] - placement["starts_on"]).days + 1
        weights = np.exp(-np.arange(days) / DECAY_DAYS)
        impressions = np.floor(placement["impressions_goal"] * weights / weights.sum()).astype(int)
        for offset, count in enumerate(impressions):
            day = placement["starts_on"] + timedelta(days=offset)
            if day <= last_day and count > 0:
                rows.append({"placement_id": placement["placement_id"], "day": day,
                             "impressions": int(count)})
    return rows
