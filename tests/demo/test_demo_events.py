"""The demo event frame: canonical schema, determinism, rates and weekly release seasonality."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest

from earmark.demo import EVENT_SCHEMA, DemoSizeError, generate_catalog, generate_events

START = date(2026, 8, 27)
JOURNEYS = 20_000


@pytest.fixture(scope="module")
def events() -> pl.DataFrame:
    return generate_events(JOURNEYS, seed=11, start=START)


def test_same_seed_gives_identical_frame_and_another_seed_does_not():
    first = generate_events(3_000, seed=5, start=START)
    assert first.equals(generate_events(3_000, seed=5, start=START))
    assert not first.equals(generate_events(3_000, seed=6, start=START))


def test_columns_and_dtypes_are_canonical(events):
    assert events.columns == [
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
    ]
    assert events.schema == EVENT_SCHEMA
    assert events.schema["occurred_at"] == pl.Datetime("us", "UTC")
    assert set(events["event_type"].unique()) == {"touchpoint", "conversion"}
    assert set(events["currency"].unique()) == {"USD"}


def test_event_ids_are_unique_and_every_journey_is_one_user(events):
    assert events["event_id"].n_unique() == events.height
    assert events["user_id"].n_unique() == JOURNEYS


def test_channels_campaigns_and_sources_follow_the_contract(events):
    touches = events.filter(pl.col("event_type") == "touchpoint")
    conversions = events.filter(pl.col("event_type") == "conversion")
    assert touches["channel"].null_count() == 0
    assert set(touches["channel"].unique()) == {
        "podcast",
        "search",
        "social",
        "email",
        "display",
        "affiliate",
        "direct",
    }
    assert conversions["channel"].null_count() == conversions.height
    assert conversions["campaign_id"].null_count() == conversions.height
    podcast = touches.filter(pl.col("channel") == "podcast")
    assert podcast["campaign_id"].null_count() == 0
    assert podcast["campaign_id"].str.starts_with("cmp-").all()
    assert touches.filter(pl.col("channel") == "direct")["campaign_id"].null_count() > 0
    assert set(podcast["source"].unique()) == {"podcast_impression", "promo_code", "vanity_url", "survey"}
    assert set(touches.filter(pl.col("channel") != "podcast")["source"].unique()) == {"pixel_visit"}
    assert set(conversions["source"].unique()) == {"checkout"}


def test_events_stay_in_the_window_in_time_order(events):
    window_start = datetime(2026, 8, 27, tzinfo=UTC)
    assert events["occurred_at"].min() >= window_start
    assert events["occurred_at"].max() < window_start + timedelta(days=90)
    assert events["occurred_at"].is_sorted()


@pytest.mark.parametrize(("touches_per_journey", "conversion_rate"), [(3.7, 0.25), (2.0, 0.5), (6.0, 0.1)])
def test_rates_match_what_was_asked(touches_per_journey, conversion_rate):
    events = generate_events(
        JOURNEYS,
        seed=3,
        start=START,
        touches_per_journey=touches_per_journey,
        conversion_rate=conversion_rate,
    )
    touches = events.filter(pl.col("event_type") == "touchpoint").height
    assert touches / JOURNEYS == pytest.approx(touches_per_journey, rel=0.03)
    per_buyer = events.filter(pl.col("event_type") == "conversion").group_by("user_id").len()
    assert per_buyer.height / JOURNEYS == pytest.approx(conversion_rate, abs=0.015)
    twice = per_buyer.filter(pl.col("len") == 2).height / per_buyer.height
    assert 0.07 < twice < 0.13
    assert per_buyer["len"].max() == 2


def test_revenue_is_zero_on_touches_and_mostly_positive_on_conversions(events):
    touches = events.filter(pl.col("event_type") == "touchpoint")
    revenue = events.filter(pl.col("event_type") == "conversion")["revenue"]
    assert (touches["revenue"] == 0.0).all()
    assert revenue.min() == 0.0
    assert 0.05 < (revenue == 0.0).mean() < 0.11
    assert 20 < revenue.filter(revenue > 0).median() < 700
    assert (revenue == revenue.round(2)).all()


def test_podcast_impressions_peak_on_release_day_and_the_day_after(events):
    catalog = generate_catalog(seed=11, start=START)
    impressions = (
        events.filter(pl.col("source") == "podcast_impression").drop("show_id")
        .join(catalog.campaigns.select("campaign_id", "show_id"), on="campaign_id")
        .join(catalog.shows.select("show_id", "release_weekday"), on="show_id")
        .with_columns(days_after=(pl.col("occurred_at").dt.weekday() - 1 - pl.col("release_weekday")) % 7)
    )
    share = (
        impressions.group_by("show_id")
        .agg(early=(pl.col("days_after") <= 1).mean(), count=pl.len())
        .filter(pl.col("count") >= 500)
    )
    assert share.height >= 3
    # Evenly spread listening would put 2/7 (29 %) in those two days.
    assert share["early"].min() > 0.5
    by_days_after = impressions.group_by("days_after").len().sort("days_after")["len"].to_list()
    assert by_days_after == sorted(by_days_after, reverse=True)


def test_a_short_window_still_holds_every_journey():
    events = generate_events(2_000, seed=9, days=3, start=START)
    assert events["user_id"].n_unique() == 2_000
    assert events["occurred_at"].min() >= datetime(2026, 8, 27, tzinfo=UTC)
    assert events["occurred_at"].max() < datetime(2026, 8, 30, tzinfo=UTC)


def test_default_start_is_days_before_today():
    events = generate_events(200, seed=1, days=30)
    today = datetime.now(UTC).date()
    assert events["occurred_at"].min().date() >= today - timedelta(days=30)
    assert events["occurred_at"].max().date() < today


def test_zero_journeys_give_an_empty_canonical_frame():
    empty = generate_events(0)
    assert empty.height == 0
    assert empty.schema == EVENT_SCHEMA


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"journeys": -1}, "journeys must be zero or more"),
        ({"journeys": 10, "touches_per_journey": 0.5}, "touches_per_journey must be at least 1"),
        ({"journeys": 10, "conversion_rate": 1.5}, "conversion_rate must be between 0 and 1"),
    ],
)
def test_impossible_sizes_are_refused_with_a_sentence(arguments, message):
    with pytest.raises(DemoSizeError, match=message):
        generate_events(**arguments)
