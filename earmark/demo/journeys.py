"""Vectorised journeys: every array holds one value per journey or per event, never a Python loop per event.

How a journey unfolds:
- A user belongs to one advertiser and has a "home" podcast campaign (an ad on one show). The journey
  starts when the user hears that ad: an episode released on the show's weekday, plus a lag of hours to
  days (most listening happens in the days after a release, which makes the weekly seasonality).
- Further touches follow at random gaps on any channel; a later podcast touch is snapped to the latest
  release of its show before it, plus a fresh listening lag.
- A converting user buys after the last touch (some buy twice); buyers exposed to a podcast sometimes
  leave a promo code, arrive by vanity URL or answer the post-purchase survey, each a podcast touch.
- The starting episode is drawn among those that leave room for the whole journey before the window ends,
  so journeys are complete (the few that cannot fit, or that snapping pushes out, stop at the window's end).
- Windows shorter than four weeks speed every lag up in proportion (`journey_pace`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl

from earmark.demo.catalog import DemoCatalog
from earmark.demo.roster import CHANNELS

US_PER_DAY = 86_400_000_000
US_PER_WEEK = 7 * US_PER_DAY

# Channel of the first touch: most journeys in a podcast-attribution product begin with an ad read.
FIRST_TOUCH_PODCAST = 0.75
# Channels of later touches, in CHANNELS order: podcast, search, social, email, display, affiliate, direct.
LATER_TOUCH_WEIGHTS = np.array([0.33, 0.18, 0.15, 0.10, 0.07, 0.05, 0.12])
LATER_PODCAST = LATER_TOUCH_WEIGHTS[0]
# A later podcast touch is on the home show this often, otherwise on another show the advertiser buys.
HOME_SHOW = 0.8
LISTEN_LAG_MEAN_DAYS = 1.2
TOUCH_GAP_MEAN_DAYS = 2.5
PURCHASE_LAG_MEAN_DAYS = 1.0
REPEAT_PURCHASE = 0.1
REPEAT_LAG_MEAN_DAYS = 14.0
FREE_CONVERSION = 0.08  # trials and sign-ups: conversions worth nothing
# Response signals of a converting podcast listener: promo code, vanity URL, survey answer.
RESPONSE_SIGNALS = (("promo_code", 0.20), ("vanity_url", 0.12), ("survey", 0.10))


@dataclass(frozen=True)
class CampaignIndex:
    """The catalog as integer arrays, so that events can index it."""

    podcast_by_advertiser: list[np.ndarray]  # campaign numbers of each advertiser's podcast campaigns
    podcast_weights: list[np.ndarray]  # matching probabilities, by show audience
    digital_by_advertiser: np.ndarray  # [advertiser, channel] -> campaign number, -1 for none
    show_of_campaign: np.ndarray  # campaign number -> show number (-1 if not podcast)
    first_release_us: np.ndarray  # show number -> first release in the window (µs since epoch)
    releases: np.ndarray  # show number -> episodes released in the window
    advertiser_share: np.ndarray
    order_value: np.ndarray


def index_catalog(catalog: DemoCatalog) -> CampaignIndex:
    advertisers = catalog.advertisers["advertiser_id"].to_list()
    shows = catalog.shows["show_id"].to_list()
    campaigns = catalog.campaigns
    show_number = {s: i for i, s in enumerate(shows)}
    audience = dict(zip(shows, catalog.shows["downloads_per_episode"].to_list(), strict=True))

    show_of_campaign = np.array([show_number.get(s, -1) for s in campaigns["show_id"].to_list()])
    digital = np.full((len(advertisers), len(CHANNELS)), -1)
    podcast_by_advertiser, podcast_weights = [], []
    for a, advertiser in enumerate(advertisers):
        rows = campaigns.with_row_index("n").filter(campaigns["advertiser_id"] == advertiser)
        podcast = rows.filter(rows["channel"] == "podcast")
        podcast_by_advertiser.append(podcast["n"].to_numpy().astype(np.int64))
        weights = np.array([audience[s] for s in podcast["show_id"].to_list()], dtype=float)
        podcast_weights.append(weights / weights.sum())
        for n, channel in rows.filter(rows["channel"] != "podcast").select("n", "channel").iter_rows():
            digital[a, CHANNELS.index(channel)] = n

    window_start_us = int(catalog.window_start.timestamp() * 1_000_000)
    first_release = np.full(len(shows), window_start_us, dtype=np.int64)
    releases = np.zeros(len(shows), dtype=np.int64)
    per_show = catalog.episodes.group_by("show_id").agg(first=pl.col("released_at").min(), count=pl.len())
    for show_id, first, count in per_show.iter_rows():
        first_release[show_number[show_id]] = int(first.timestamp() * 1_000_000)
        releases[show_number[show_id]] = count
    return CampaignIndex(
        podcast_by_advertiser=podcast_by_advertiser,
        podcast_weights=podcast_weights,
        digital_by_advertiser=digital,
        show_of_campaign=show_of_campaign,
        first_release_us=first_release,
        releases=releases,
        advertiser_share=catalog.advertisers["journey_share"].to_numpy(),
        order_value=catalog.advertisers["average_order_value"].to_numpy(),
    )


def base_touch_rate(touches_per_journey: float, conversion_rate: float) -> float:
    """Mean of the Poisson number of touches after the first, so that response touches fit the target.

    P(no podcast touch | k-1 later touches ~ Poisson(lam)) = (1 - first) * exp(-lam * later_podcast).
    """
    signals = sum(p for _, p in RESPONSE_SIGNALS)
    lam = max(touches_per_journey - 1.0, 0.0)
    for _ in range(20):
        exposed = 1.0 - (1.0 - FIRST_TOUCH_PODCAST) * math.exp(-lam * LATER_PODCAST)
        lam = max(touches_per_journey - 1.0 - conversion_rate * exposed * signals, 0.0)
    return lam


def pick_per_advertiser(
    rng: np.random.Generator, advertiser: np.ndarray, choices: list[np.ndarray], weights: list[np.ndarray]
) -> np.ndarray:
    """For each row, one of its advertiser's choices (a loop over advertisers, not rows)."""
    picked = np.empty(advertiser.size, dtype=np.int64)
    for a, (options, p) in enumerate(zip(choices, weights, strict=True)):
        rows = np.flatnonzero(advertiser == a)
        picked[rows] = options[rng.choice(options.size, rows.size, p=p)]
    return picked


# Where an event was captured; the frame's `source` column holds these names.
SOURCES = ("podcast_impression", "pixel_visit", *(name for name, _ in RESPONSE_SIGNALS), "checkout")
PODCAST_IMPRESSION, PIXEL_VISIT, CHECKOUT = 0, 1, len(SOURCES) - 1
TOUCHPOINT, CONVERSION = 0, 1


@dataclass(frozen=True)
class EventArrays:
    """One entry per event; -1 stands for null in channel and campaign."""

    journey: np.ndarray
    occurred_us: np.ndarray
    kind: np.ndarray
    channel: np.ndarray
    campaign: np.ndarray
    source: np.ndarray
    revenue: np.ndarray


def _days(rng: np.random.Generator, mean_days: float, size: int, pace: float) -> np.ndarray:
    return (rng.exponential(mean_days * pace * US_PER_DAY, size)).astype(np.int64)


def journey_pace(days: int) -> float:
    """Below four weeks, journeys run faster in proportion, so that most of them fit a short window."""
    return min(1.0, days / 28)


@dataclass(frozen=True)
class _Shape:
    """Each journey relative to its first touch: touch offsets, gaps, whether and when it converts."""

    touches: np.ndarray
    offsets: np.ndarray  # index of each journey's first touch
    owner: np.ndarray  # journey of each touch
    first: np.ndarray  # is this touch its journey's first
    since_first: np.ndarray  # microseconds since the journey's first touch
    converts: np.ndarray
    repeats: np.ndarray
    purchase_lag: np.ndarray
    repurchase_lag: np.ndarray
    span: np.ndarray  # first touch to last event

    @property
    def total(self) -> int:
        return int(self.touches.sum())


def simulate(
    catalog: DemoCatalog,
    journeys: int,
    rng: np.random.Generator,
    touches_per_journey: float,
    conversion_rate: float,
) -> EventArrays:
    """Journeys as event arrays. Each step draws from `rng` in a fixed order: same seed, same events."""
    idx = index_catalog(catalog)
    start_us = int(catalog.window_start.timestamp() * 1_000_000)
    end_us = int(catalog.window_end.timestamp() * 1_000_000)
    pace = journey_pace(catalog.days)

    # Who the user is and which ad read starts the journey.
    advertiser = rng.choice(idx.advertiser_share.size, journeys, p=idx.advertiser_share)
    home = pick_per_advertiser(rng, advertiser, idx.podcast_by_advertiser, idx.podcast_weights)
    shape = _journey_shapes(rng, journeys, touches_per_journey, conversion_rate, pace)
    anchor = _first_listens(rng, idx, idx.show_of_campaign[home], shape.span, start_us, end_us, pace)
    occurred = anchor[shape.owner] + shape.since_first
    channel, campaign, is_podcast = _touch_channels(rng, idx, shape, advertiser, home, occurred, pace)
    source = np.where(is_podcast, PODCAST_IMPRESSION, PIXEL_VISIT)
    purchase = np.maximum.reduceat(occurred, shape.offsets) + shape.purchase_lag
    conversion_owner, conversion_at, revenue = _conversions(rng, idx, shape, advertiser, purchase)
    exposed = np.logical_or.reduceat(is_podcast, shape.offsets)
    response_owner, response_at, response_source = _responses(rng, shape.converts & exposed, purchase)

    occurred_us = np.concatenate((occurred, response_at, conversion_at))
    # Snapped podcast touches can push a journey a little past the window: those few events stop at its end.
    np.clip(occurred_us, start_us, end_us - 1, out=occurred_us)
    n_touch, n_response, n_conversion = shape.total, response_owner.size, conversion_owner.size
    return EventArrays(
        journey=np.concatenate((shape.owner, response_owner, conversion_owner)),
        occurred_us=occurred_us,
        kind=np.concatenate((np.full(n_touch + n_response, TOUCHPOINT), np.full(n_conversion, CONVERSION))),
        channel=np.concatenate(
            (channel, np.zeros(n_response, dtype=channel.dtype), np.full(n_conversion, -1))
        ),
        campaign=np.concatenate((campaign, home[response_owner], np.full(n_conversion, -1))),
        source=np.concatenate((source, response_source, np.full(n_conversion, CHECKOUT))),
        revenue=np.concatenate((np.zeros(n_touch + n_response), revenue)),
    )


def _journey_shapes(rng: np.random.Generator, journeys: int, touches_per_journey: float,
                    conversion_rate: float, pace: float) -> _Shape:
    """The journey's shape relative to its first touch: gaps between touches, then the purchases."""
    touches = 1 + rng.poisson(base_touch_rate(touches_per_journey, conversion_rate), journeys)
    offsets = np.concatenate(([0], np.cumsum(touches)[:-1]))
    total = int(touches.sum())
    owner = np.repeat(np.arange(journeys), touches)
    first = np.zeros(total, dtype=bool)
    first[offsets] = True
    gaps = _days(rng, TOUCH_GAP_MEAN_DAYS, total, pace)
    gaps[first] = 0
    elapsed = np.cumsum(gaps)
    since_first = elapsed - elapsed[offsets][owner]
    converts = rng.random(journeys) < conversion_rate
    repeats = converts & (rng.random(journeys) < REPEAT_PURCHASE)
    purchase_lag = 600_000_000 + _days(rng, PURCHASE_LAG_MEAN_DAYS, journeys, pace)
    repurchase_lag = 3_600_000_000 + _days(rng, REPEAT_LAG_MEAN_DAYS, journeys, pace)
    last_since_first = since_first[offsets + touches - 1]
    span = last_since_first + np.where(converts, purchase_lag, 0) + np.where(repeats, repurchase_lag, 0)
    return _Shape(touches, offsets, owner, first, since_first, converts, repeats, purchase_lag,
                  repurchase_lag, span)


def _first_listens(rng: np.random.Generator, idx: CampaignIndex, home_show: np.ndarray, span: np.ndarray,
                   start_us: int, end_us: int, pace: float) -> np.ndarray:
    """When each journey's first ad read is heard: an episode of the home show late enough to leave room
    for the whole journey, a listening lag after its release (the release-day peak comes from here)."""
    journeys = home_show.size
    listen_lag = _days(rng, LISTEN_LAG_MEAN_DAYS, journeys, pace)
    first_release = idx.first_release_us[home_show]
    latest = np.minimum(
        (end_us - 1 - span - listen_lag - first_release) // US_PER_WEEK, idx.releases[home_show] - 1
    )
    episode = (rng.random(journeys) * (np.maximum(latest, 0) + 1)).astype(np.int64)
    anchor = first_release + episode * US_PER_WEEK + listen_lag
    # A window shorter than a week may hold no release of the show: start anywhere that leaves room.
    unreleased = idx.releases[home_show] == 0
    room = np.maximum(end_us - 1 - span[unreleased] - start_us, 0)
    anchor[unreleased] = start_us + (rng.random(unreleased.sum()) * room).astype(np.int64)
    return anchor


def _touch_channels(rng: np.random.Generator, idx: CampaignIndex, shape: _Shape, advertiser: np.ndarray,
                    home: np.ndarray, occurred: np.ndarray, pace: float
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Channel and campaign of every touch; later podcast touches are moved after a release (in place)."""
    journeys, owner, offsets = advertiser.size, shape.owner, shape.offsets
    channel = rng.choice(len(CHANNELS), shape.total, p=LATER_TOUCH_WEIGHTS)
    not_podcast = LATER_TOUCH_WEIGHTS[1:] / LATER_TOUCH_WEIGHTS[1:].sum()
    channel[offsets] = np.where(
        rng.random(journeys) < FIRST_TOUCH_PODCAST,
        0,
        1 + rng.choice(not_podcast.size, journeys, p=not_podcast),
    )
    is_podcast = channel == 0
    campaign = idx.digital_by_advertiser[advertiser[owner], channel]
    campaign[is_podcast] = home[owner[is_podcast]]
    later_podcast = np.flatnonzero(is_podcast & ~shape.first)
    elsewhere = later_podcast[rng.random(later_podcast.size) >= HOME_SHOW]
    campaign[elsewhere] = pick_per_advertiser(
        rng, advertiser[owner[elsewhere]], idx.podcast_by_advertiser, idx.podcast_weights
    )
    # A later podcast touch is heard after its show's latest release, not at an arbitrary moment.
    show = idx.show_of_campaign[campaign[later_podcast]]
    release_ts = idx.first_release_us[show]
    week = np.clip(
        (occurred[later_podcast] - release_ts) // US_PER_WEEK, 0, np.maximum(idx.releases[show] - 1, 0)
    )
    occurred[later_podcast] = (
        release_ts + week * US_PER_WEEK + _days(rng, LISTEN_LAG_MEAN_DAYS, later_podcast.size, pace)
    )
    return channel, campaign, is_podcast


def _conversions(rng: np.random.Generator, idx: CampaignIndex, shape: _Shape, advertiser: np.ndarray,
                 purchase: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Purchases after the last touch (and repeat purchases), order values around the advertiser's mean."""
    buyers = np.flatnonzero(shape.converts)
    rebuyers = np.flatnonzero(shape.repeats)
    conversion_owner = np.concatenate((buyers, rebuyers))
    conversion_at = np.concatenate((purchase[buyers], purchase[rebuyers] + shape.repurchase_lag[rebuyers]))
    sigma = 0.6
    revenue = rng.lognormal(np.log(idx.order_value[advertiser[conversion_owner]]) - sigma**2 / 2, sigma)
    revenue = np.where(rng.random(revenue.size) < FREE_CONVERSION, 0.0, np.round(revenue, 2))
    return conversion_owner, conversion_at, revenue


def _responses(rng: np.random.Generator, exposed_buyer: np.ndarray, purchase: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Response signals of exposed buyers, stamped just before the purchase so that models can credit them."""
    owners, stamps, sources = [], [], []
    for n, (name, probability) in enumerate(RESPONSE_SIGNALS):
        who = np.flatnonzero(exposed_buyer & (rng.random(exposed_buyer.size) < probability))
        # A vanity URL is typed before browsing the site; a code and a survey answer come with the order.
        lead = (
            rng.integers(60_000_000, 3_600_000_000, who.size) if name == "vanity_url" else 1_000_000 * (n + 1)
        )
        owners.append(who)
        stamps.append(purchase[who] - lead)
        sources.append(np.full(who.size, SOURCES.index(name)))
    return np.concatenate(owners), np.concatenate(stamps), np.concatenate(sources)
