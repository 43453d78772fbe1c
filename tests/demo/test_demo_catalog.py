"""The demo catalog: what was bought, and that the events only name campaigns it holds."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from earmark.demo import DemoSizeError, generate_catalog, generate_events

START = date(2026, 8, 27)


@pytest.fixture(scope="module")
def catalog():
    return generate_catalog(seed=11, start=START)


def test_every_campaign_in_the_events_is_in_the_catalog(catalog):
    events = generate_events(10_000, seed=11, start=START)
    named = set(events["campaign_id"].drop_nulls().unique())
    assert named <= set(catalog.campaigns["campaign_id"])
    podcast = set(events.filter(pl.col("channel") == "podcast")["campaign_id"].unique())
    assert podcast == set(catalog.campaigns.filter(pl.col("channel") == "podcast")["campaign_id"])


def test_same_seed_gives_the_same_catalog_whatever_the_event_count(catalog):
    again = generate_catalog(seed=11, start=START)
    for name in ("advertisers", "shows", "episodes", "campaigns", "placements", "promo_codes", "vanity_urls"):
        assert getattr(catalog, name).equals(getattr(again, name)), name
    assert not catalog.campaigns.equals(generate_catalog(seed=12, start=START).campaigns)


def test_campaigns_pair_each_advertiser_with_shows_and_digital_channels(catalog):
    assert catalog.advertisers.height == 3
    assert catalog.shows.height == 8
    assert catalog.advertisers["journey_share"].sum() == pytest.approx(1.0)
    podcast = catalog.campaigns.filter(pl.col("channel") == "podcast")
    assert podcast.group_by("advertiser_id").len()["len"].to_list() == [4, 4, 4]
    assert (podcast["campaign_id"] == "cmp-" + podcast["advertiser_id"] + "-" + podcast["show_id"]).all()
    digital = catalog.campaigns.filter(pl.col("channel") != "podcast")
    assert digital["show_id"].null_count() == digital.height
    assert set(digital["channel"]) == {"search", "social", "email", "display", "affiliate"}
    assert catalog.campaigns["campaign_id"].n_unique() == catalog.campaigns.height


def test_episodes_drop_weekly_on_the_show_release_weekday_inside_the_window(catalog):
    episodes = catalog.episodes.join(catalog.shows.select("show_id", "release_weekday"), on="show_id")
    assert ((episodes["released_at"].dt.weekday() - 1) == episodes["release_weekday"]).all()
    assert episodes["released_at"].min() >= catalog.window_start
    assert episodes["released_at"].max() < catalog.window_end
    # 90 days hold 12 or 13 releases of a weekly show.
    assert set(episodes.group_by("show_id").len()["len"]) <= {12, 13}
    gaps = episodes.sort("released_at").group_by("show_id").agg(pl.col("released_at").diff().drop_nulls())
    assert {gap.days for gap in gaps.explode("released_at")["released_at"]} == {7}


def test_placements_are_bought_at_a_cpm_a_flat_fee_or_per_conversion(catalog):
    placements = catalog.placements
    podcast_campaigns = catalog.campaigns.filter(pl.col("channel") == "podcast")
    assert set(placements["campaign_id"]) == set(podcast_campaigns["campaign_id"])
    assert set(placements["pricing"]) == {"cpm", "flat", "cpa"}
    assert placements.filter(pl.col("pricing") == "cpm")["rate"].is_between(18, 35).all()
    assert (placements["rate"] > 0).all()
    flights = placements.select((pl.col("ends_on") - pl.col("starts_on")).dt.total_days())
    assert flights.to_series().is_between(0, 27).all()
    assert (placements["impressions_goal"] > 0).all()
    assert placements["placement_id"].n_unique() == placements.height
    on_own_show = placements.join(catalog.episodes.select("episode_id", "show_id"), on="episode_id")
    assert (on_own_show["show_id"] == on_own_show["show_id_right"]).all()
    assert on_own_show.height == placements.height


def test_each_podcast_campaign_has_a_promo_code_and_a_vanity_url(catalog):
    podcast = catalog.campaigns.filter(pl.col("channel") == "podcast")
    assert sorted(catalog.promo_codes["campaign_id"]) == sorted(podcast["campaign_id"])
    assert sorted(catalog.vanity_urls["campaign_id"]) == sorted(podcast["campaign_id"])
    assert catalog.promo_codes["code"].str.contains(r"^[A-Z]+\d{2}$").all()
    assert catalog.promo_codes.select("advertiser_id", "code").is_unique().all()
    domains = catalog.vanity_urls.join(
        catalog.advertisers.select("advertiser_id", "domain"), on="advertiser_id"
    )
    assert all(
        url.startswith(f"https://{domain}/") for url, domain in domains.select("url", "domain").iter_rows()
    )


def test_sizes_beyond_the_roster_are_refused():
    with pytest.raises(DemoSizeError, match="advertisers must be between 1 and 10"):
        generate_catalog(advertisers=11)
    with pytest.raises(DemoSizeError, match="shows_per_advertiser must be between 1 and shows"):
        generate_catalog(shows=2, shows_per_advertiser=3)
