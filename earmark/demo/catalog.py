"""What a demo tenant has bought: advertisers, shows and episodes, campaigns, placements, codes and URLs.

The catalog is small (hundreds of rows), so it is built with plain polars frames; the events generator
reads it to know which campaigns exist and when each show releases, which keeps the two consistent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl

from earmark.demo.roster import ADVERTISERS, DIGITAL_CHANNELS, SHOWS
from earmark.errors import EarmarkError

# Shares of podcast campaigns bought at a CPM and for a flat fee; the rest pay per attributed conversion.
CPM_SHARE = 0.6
FLAT_SHARE = 0.25
AD_SLOTS = ("pre", "mid", "post")
# A host read is baked into the episode; a produced spot or a dynamic insert is stitched in per download.
AD_KINDS = ("host_read", "produced", "dynamic_insert")
# Most of an episode's downloads come in its first four weeks: the placement's flight.
FLIGHT_DAYS = 28
# A CPA deal pays this share of the advertiser's average order value per attributed conversion.
CPA_SHARE_OF_ORDER = 0.15


class DemoSizeError(EarmarkError):
    """A demo size or rate outside what the generator can produce."""


@dataclass(frozen=True)
class DemoCatalog:
    start: date
    days: int
    advertisers: pl.DataFrame
    shows: pl.DataFrame
    episodes: pl.DataFrame
    campaigns: pl.DataFrame
    placements: pl.DataFrame
    promo_codes: pl.DataFrame
    vanity_urls: pl.DataFrame

    @property
    def window_start(self) -> datetime:
        return datetime(self.start.year, self.start.month, self.start.day, tzinfo=UTC)

    @property
    def window_end(self) -> datetime:
        return self.window_start + timedelta(days=self.days)


def default_start(days: int) -> date:
    return datetime.now(UTC).date() - timedelta(days=days)


def catalog_rng(seed: int) -> np.random.Generator:
    # A stream of its own, so that the catalog does not change with the number of journeys.
    return np.random.default_rng([seed, 0])


def generate_catalog(
    *,
    seed: int = 7,
    days: int = 90,
    start: date | None = None,
    advertisers: int = 3,
    shows: int = 8,
    shows_per_advertiser: int = 4,
    audience: float = 1.0,
) -> DemoCatalog:
    """Build the catalog for one demo tenant; same arguments, same catalog. `audience` is the share of each
    show's downloads the tenant's placements reach (a small tenant buys less), which sets impression goals
    and the flat fees negotiated on them."""
    if not 1 <= advertisers <= len(ADVERTISERS):
        raise DemoSizeError(f"advertisers must be between 1 and {len(ADVERTISERS)}; got {advertisers}.")
    if not 1 <= shows <= len(SHOWS):
        raise DemoSizeError(f"shows must be between 1 and {len(SHOWS)}; got {shows}.")
    if not 1 <= shows_per_advertiser <= shows:
        raise DemoSizeError(f"shows_per_advertiser must be between 1 and shows ({shows}).")
    if days < 1:
        raise DemoSizeError(f"days must be at least 1; got {days}.")
    if not 0 < audience <= 1:
        raise DemoSizeError(f"audience must be above 0 and at most 1; got {audience}.")
    start = start or default_start(days)
    rng = catalog_rng(seed)

    advertiser_frame = _advertisers(rng, advertisers)
    show_frame = _shows(rng, shows)
    episode_frame = _episodes(rng, show_frame, start, days)
    campaign_frame = _campaigns(rng, advertiser_frame, show_frame, shows_per_advertiser, start, days)
    podcast_campaigns = campaign_frame.filter(pl.col("channel") == "podcast")
    return DemoCatalog(
        start=start,
        days=days,
        advertisers=advertiser_frame,
        shows=show_frame,
        episodes=episode_frame,
        campaigns=campaign_frame,
        placements=_placements(rng, podcast_campaigns, advertiser_frame, show_frame, episode_frame,
                               start + timedelta(days=days - 1), audience),
        promo_codes=_promo_codes(rng, podcast_campaigns),
        vanity_urls=_vanity_urls(podcast_campaigns, advertiser_frame),
    )


def _advertisers(rng: np.random.Generator, count: int) -> pl.DataFrame:
    picked = [ADVERTISERS[i] for i in sorted(rng.choice(len(ADVERTISERS), count, replace=False))]
    # Uneven shares of the tenant's audience: one big spender, smaller ones beside it.
    share = rng.dirichlet(np.full(count, 2.0))
    return pl.DataFrame(
        {
            "advertiser_id": [a.slug for a in picked],
            "name": [a.name for a in picked],
            "domain": [a.domain for a in picked],
            "vertical": [a.vertical for a in picked],
            "average_order_value": [a.average_order_value for a in picked],
            "journey_share": share,
        }
    )


def _shows(rng: np.random.Generator, count: int) -> pl.DataFrame:
    picked = [SHOWS[i] for i in sorted(rng.choice(len(SHOWS), count, replace=False))]
    return pl.DataFrame(
        {
            "show_id": [s.slug for s in picked],
            "name": [s.name for s in picked],
            "genre": [s.genre for s in picked],
            "release_weekday": [s.release_weekday for s in picked],
            "release_hour_utc": rng.integers(4, 14, count),
            "downloads_per_episode": [s.downloads_per_episode for s in picked],
        },
        schema_overrides={"release_weekday": pl.Int32, "release_hour_utc": pl.Int32},
    )


def _episodes(rng: np.random.Generator, shows: pl.DataFrame, start: date, days: int) -> pl.DataFrame:
    """Weekly episodes released on each show's weekday inside the window."""
    rows: dict[str, list] = {"episode_id": [], "show_id": [], "episode_number": [], "released_at": []}
    for show in shows.iter_rows(named=True):
        first = start + timedelta(days=(show["release_weekday"] - start.weekday()) % 7)
        back_catalog = int(rng.integers(20, 400))
        for week in range((days - (first - start).days + 6) // 7):
            released = first + timedelta(days=7 * week)
            number = back_catalog + week + 1
            rows["episode_id"].append(f"ep-{show['show_id']}-{number}")
            rows["show_id"].append(show["show_id"])
            rows["episode_number"].append(number)
            rows["released_at"].append(
                datetime(released.year, released.month, released.day, show["release_hour_utc"], tzinfo=UTC)
            )
    return pl.DataFrame(
        rows,
        schema={
            "episode_id": pl.String,
            "show_id": pl.String,
            "episode_number": pl.Int32,
            "released_at": pl.Datetime("us", "UTC"),
        },
    )


def _campaigns(
    rng: np.random.Generator,
    advertisers: pl.DataFrame,
    shows: pl.DataFrame,
    shows_per_advertiser: int,
    start: date,
    days: int,
) -> pl.DataFrame:
    """Each advertiser runs podcast campaigns on a few shows and one campaign per digital channel."""
    rows: dict[str, list] = {"campaign_id": [], "advertiser_id": [], "channel": [], "show_id": [], "name": []}
    show_ids = shows["show_id"].to_list()
    show_names = dict(zip(show_ids, shows["name"].to_list(), strict=True))
    for advertiser_id, advertiser_name in advertisers.select("advertiser_id", "name").iter_rows():
        for i in sorted(rng.choice(len(show_ids), shows_per_advertiser, replace=False)):
            show_id = show_ids[i]
            rows["campaign_id"].append(f"cmp-{advertiser_id}-{show_id}")
            rows["advertiser_id"].append(advertiser_id)
            rows["channel"].append("podcast")
            rows["show_id"].append(show_id)
            rows["name"].append(f"{advertiser_name} on {show_names[show_id]}")
        for channel in DIGITAL_CHANNELS:
            rows["campaign_id"].append(f"cmp-{advertiser_id}-{channel}")
            rows["advertiser_id"].append(advertiser_id)
            rows["channel"].append(channel)
            rows["show_id"].append(None)
            rows["name"].append(f"{advertiser_name} {channel}")
    # Flights cover the whole window so that every generated touch falls inside its campaign.
    return pl.DataFrame(rows, schema_overrides={"show_id": pl.String}).with_columns(
        starts_on=pl.lit(start), ends_on=pl.lit(start + timedelta(days=days - 1))
    )


def _placements(
    rng: np.random.Generator, podcast_campaigns: pl.DataFrame, advertisers: pl.DataFrame, shows: pl.DataFrame,
    episodes: pl.DataFrame, last_day: date, audience: float,
) -> pl.DataFrame:
    """One ad per campaign and episode, at a CPM, for a flat fee or per attributed conversion; its flight
    runs from the episode's release for FLIGHT_DAYS (to the window's end at most)."""
    count = podcast_campaigns.height
    cpm = np.round(rng.uniform(18.0, 35.0, count) * 2) / 2
    draw = rng.random(count)
    terms = podcast_campaigns.select("campaign_id", "advertiser_id", "show_id").with_columns(
        slot=pl.Series([AD_SLOTS[i] for i in rng.integers(0, len(AD_SLOTS), count)]),
        pricing=pl.Series(np.select([draw < CPM_SHARE, draw < CPM_SHARE + FLAT_SHARE], ["cpm", "flat"],
                                    "cpa")),
        cpm=pl.Series(cpm),
        fill=pl.Series(rng.uniform(0.8, 1.0, count)),
        kind=pl.Series([AD_KINDS[i] for i in rng.integers(0, len(AD_KINDS), count)]),
    )
    return (
        terms.join(episodes.select("episode_id", "show_id", "episode_number", "released_at"), on="show_id")
        .join(shows.select("show_id", "downloads_per_episode"), on="show_id")
        .join(advertisers.select("advertiser_id", "average_order_value"), on="advertiser_id")
        .with_columns(
            impressions_goal=((pl.col("downloads_per_episode") * audience * pl.col("fill") / 100).round(0)
                              * 100).cast(
                pl.Int64
            ),
            starts_on=pl.col("released_at").dt.date(),
        )
        .select(
            placement_id=pl.format(
                "plc-{}-{}", pl.col("campaign_id").str.strip_prefix("cmp-"), pl.col("episode_number")
            ),
            campaign_id="campaign_id",
            show_id="show_id",
            episode_id="episode_id",
            slot="slot",
            kind="kind",
            pricing="pricing",
            # The price of its pricing model: a CPM; a flat fee negotiated near what the expected audience
            # would cost at that CPM; or a share of the advertiser's order value per conversion.
            rate=pl.when(pl.col("pricing") == "cpm").then(pl.col("cpm"))
            .when(pl.col("pricing") == "flat")
            .then((pl.col("impressions_goal") * pl.col("cpm") / 10_000).round(0) * 10)
            .otherwise((pl.col("average_order_value") * CPA_SHARE_OF_ORDER).round(0)),
            starts_on="starts_on",
            ends_on=pl.min_horizontal(pl.col("starts_on") + timedelta(days=FLIGHT_DAYS - 1),
                                      pl.lit(last_day)),
            impressions_goal="impressions_goal",
            currency=pl.lit("USD"),
        )
        .sort("placement_id")
    )


def _promo_codes(rng: np.random.Generator, podcast_campaigns: pl.DataFrame) -> pl.DataFrame:
    discount = rng.choice([10, 15, 20, 25], podcast_campaigns.height)
    # Show, then brand, then discount ("PIXELPUSNOR20"): a tenant's codes are unique across its
    # advertisers, since a checkout reports only the code.
    return podcast_campaigns.select(
        code=(
            pl.col("show_id").str.replace_all("-", "").str.to_uppercase().str.slice(0, 8)
            + pl.col("advertiser_id").str.replace_all("-", "").str.to_uppercase().str.slice(0, 3)
            + pl.Series(discount).cast(pl.String)
        ),
        campaign_id="campaign_id",
        advertiser_id="advertiser_id",
        show_id="show_id",
        discount_percent=pl.Series(discount).cast(pl.Int32),
    )


def _vanity_urls(podcast_campaigns: pl.DataFrame, advertisers: pl.DataFrame) -> pl.DataFrame:
    return podcast_campaigns.join(advertisers.select("advertiser_id", "domain"), on="advertiser_id").select(
        url=pl.format("https://{}/{}", "domain", pl.col("show_id").str.replace_all("-", "")),
        campaign_id="campaign_id",
        advertiser_id="advertiser_id",
        show_id="show_id",
    )
