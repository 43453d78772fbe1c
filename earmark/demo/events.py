"""The canonical event frame for a demo tenant, built from the simulated journeys in one pass of polars."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from earmark.demo.catalog import DemoSizeError, generate_catalog
from earmark.demo.journeys import SOURCES, simulate
from earmark.demo.roster import CHANNELS

EVENT_COLUMNS = (
    "event_id",
    "user_id",
    "occurred_at",
    "event_type",
    "channel",
    "campaign_id",
    "revenue",
    "source",
    "currency",
    "show_id",
    "episode_id",
    "placement_id",
    "promo_code",
    "vanity_url",
)
EVENT_SCHEMA = pl.Schema(
    {
        "event_id": pl.String,
        "user_id": pl.String,
        "occurred_at": pl.Datetime("us", "UTC"),
        "event_type": pl.String,
        "channel": pl.String,
        "campaign_id": pl.String,
        "revenue": pl.Float64,
        "source": pl.String,
        "currency": pl.String,
        "show_id": pl.String,
        "episode_id": pl.String,
        "placement_id": pl.String,
        "promo_code": pl.String,
        "vanity_url": pl.String,
    }
)
# Identifiers are a bijection of a row number modulo 2**40 (odd multiplier), so they are unique without
# a set of seen values, and do not reveal the order in which they were made.
ID_SPACE = 1 << 40
USER_MULTIPLIER = 0x9E3779B97F4A7C15 % ID_SPACE | 1
EVENT_MULTIPLIER = 0xC2B2AE3D27D4EB4F % ID_SPACE | 1
FINAL_MULTIPLIER = 0x165667B19E3779F9 % ID_SPACE | 1


def generate_events(
    journeys: int,
    *,
    seed: int = 7,
    days: int = 90,
    start: date | None = None,
    touches_per_journey: float = 3.7,
    conversion_rate: float = 0.25,
) -> pl.DataFrame:
    """Events of `journeys` users over `days` days from `start`, in time order; same seed, same frame."""
    if journeys < 0:
        raise DemoSizeError(f"journeys must be zero or more; got {journeys}.")
    if touches_per_journey < 1:
        raise DemoSizeError(f"touches_per_journey must be at least 1; got {touches_per_journey}.")
    if not 0 <= conversion_rate <= 1:
        raise DemoSizeError(f"conversion_rate must be between 0 and 1; got {conversion_rate}.")
    if journeys == 0:
        return pl.DataFrame(schema=EVENT_SCHEMA)
    catalog = generate_catalog(seed=seed, days=days, start=start)
    events = simulate(
        catalog, journeys, np.random.default_rng([seed, 1]), touches_per_journey, conversion_rate
    )

    order = np.lexsort((events.kind, events.journey, events.occurred_us))
    salt = np.random.default_rng([seed, 2]).integers(0, ID_SPACE, 2)
    user_ids = _identifiers("u", np.arange(journeys, dtype=np.uint64), USER_MULTIPLIER, int(salt[0]))
    campaign_ids = pl.Series(catalog.campaigns["campaign_id"])
    frame = pl.DataFrame(
        {
            "event_id": _identifiers(
                "ev", np.arange(order.size, dtype=np.uint64), EVENT_MULTIPLIER, int(salt[1])
            ),
            "user_id": user_ids.gather(events.journey[order]),
            "occurred_at": pl.Series(events.occurred_us[order]).cast(pl.Datetime("us", "UTC")),
            "event_type": pl.Series(["touchpoint", "conversion"]).gather(events.kind[order]),
            "channel": pl.Series(CHANNELS).gather(_nullable(events.channel[order])),
            "campaign_id": campaign_ids.gather(_nullable(events.campaign[order])),
            "revenue": events.revenue[order],
            "source": pl.Series(SOURCES).gather(events.source[order]),
            "currency": pl.repeat("USD", order.size, eager=True),
        },
        schema={name: EVENT_SCHEMA[name] for name in EVENT_COLUMNS[:9]},
    )
    return _with_catalog_ids(frame, catalog)


def _with_catalog_ids(events: pl.DataFrame, catalog) -> pl.DataFrame:
    """What a podcast touch names in the catalog, as a host, a shop or a survey reports it:
    an impression names its episode and placement (the latest episode of the campaign's show released
    before it); a promo-code or vanity-URL touch names the code or URL the listener used; a survey answer
    names the show. Other touches name nothing."""
    shows = catalog.campaigns.select("campaign_id", pl.col("show_id").alias("campaign_show"))
    episodes = catalog.episodes.select(
        pl.col("show_id").alias("campaign_show"), "episode_id", "episode_number",
        pl.col("released_at").alias("occurred_at")).sort("occurred_at")
    codes = catalog.promo_codes.select("campaign_id", pl.col("code").alias("campaign_code"))
    urls = catalog.vanity_urls.select("campaign_id", pl.col("url").alias("campaign_url"))
    source = pl.col("source")
    with_ids = (
        events.with_row_index("__order")
        .join(shows, on="campaign_id", how="left")
        .sort("occurred_at")
        .join_asof(episodes, on="occurred_at", by="campaign_show", strategy="backward",
                   check_sortedness=False)
        .join(codes, on="campaign_id", how="left")
        .join(urls, on="campaign_id", how="left")
        .sort("__order")
    )
    impression = (source == "podcast_impression") & pl.col("episode_id").is_not_null()
    return with_ids.select(
        *EVENT_COLUMNS[:9],
        show_id=pl.when((source == "survey") | ((source == "podcast_impression") & ~impression))
        .then(pl.col("campaign_show")),
        episode_id=pl.when(impression).then(pl.col("episode_id")),
        placement_id=pl.when(impression).then(pl.format(
            "plc-{}-{}", pl.col("campaign_id").str.strip_prefix("cmp-"), pl.col("episode_number"))),
        promo_code=pl.when(source == "promo_code").then(pl.col("campaign_code")),
        vanity_url=pl.when(source == "vanity_url").then(pl.col("campaign_url")),
    ).cast(dict(EVENT_SCHEMA))


def _nullable(codes: np.ndarray) -> pl.Series:
    """Codes as a series where -1 becomes null, which `gather` turns into a null value."""
    series = pl.Series(codes.astype(np.int64))
    return series.set(series == -1, None) if (codes == -1).any() else series


def _identifiers(prefix: str, numbers: np.ndarray, multiplier: int, salt: int) -> pl.Series:
    mask = np.uint64(ID_SPACE - 1)
    mixed = (numbers * np.uint64(multiplier) + np.uint64(salt)) & mask
    # xor-shift then multiply again (both invertible mod 2**40) so neighbours do not look like neighbours.
    mixed ^= mixed >> np.uint64(20)
    mixed = (mixed * np.uint64(FINAL_MULTIPLIER)) & mask
    mixed ^= mixed >> np.uint64(20)
    digits = pl.Series(mixed).cast(pl.String).str.zfill(13)
    return pl.select(pl.concat_str(pl.lit(f"{prefix}-"), pl.lit(digits))).to_series()
