"""The demo's site pixel (issue 17): drawn from the request log's households, with a true lift built in."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta

import polars as pl
import pytest

from earmark.demo import EVENT_COLUMNS, generate_catalog, generate_events
from earmark.demo.catalog_rows import catalog_rows
from earmark.demo.pixels import PIXEL_COLUMNS, TRUE_LIFT, households, pixel_events, with_pixels
from earmark.demo.requests import request_log

START = date(2026, 8, 27)
DAYS = 90
SEED = 9


@pytest.fixture(scope="module")
def demo():
    catalog = generate_catalog(seed=SEED, days=DAYS, start=START, audience=0.05)
    rows = catalog_rows(catalog, SEED)
    last = START + timedelta(days=DAYS - 1)
    log = request_log(pl.DataFrame(rows["episodes"]), rows["deliveries"], rows["ad_slots"],
                      (last - timedelta(days=6), last), seed=SEED, share=0.5)
    end = datetime.combine(last, time.max, tzinfo=UTC)
    # a higher base rate than the demo's keeps the sample small and the comparison sharp
    pixels = pixel_events(log, rows, end, seed=SEED, base_rate=0.15)
    return rows, log, households(log, rows), pixels, end


def test_pixel_addresses_are_households_of_the_request_log(demo):
    _, log, listened, pixels, end = demo
    assert pixels.height > 500
    assert set(pixels["ip"]) <= set(log["ip"])
    assert set(pixels["ip"]) <= set(listened["ip"])
    assert pixels["occurred_at"].max() <= end
    assert pixels["user_agent"].is_not_null().all()
    assert set(pixels["channel"].drop_nulls()) == {"site", "survey"}
    # one user per household, a few households with two
    users = pixels.group_by("ip").agg(pl.col("user_id").n_unique())["user_id"]
    assert users.max() == 2 and (users == 2).sum() < 0.2 * users.len()
    assert pixels.group_by("user_id").agg(pl.col("ip").n_unique())["ip"].max() == 1


def test_some_listeners_of_the_same_shows_get_no_ad(demo):
    _, _, listened, _, _ = demo
    shows = listened.with_columns(exposed=pl.col("campaigns").list.len() > 0).group_by("show_id").agg(
        pl.col("exposed").sum().alias("exposed"), (~pl.col("exposed")).sum().alias("control"))
    both = shows.filter((pl.col("exposed") > 0) & (pl.col("control") > 0))
    assert both.height >= shows.height - 2  # a show whose every campaign is a dynamic pre-roll has none


def test_exposed_households_visit_about_a_true_lift_more(demo):
    _, _, listened, pixels, _ = demo
    homes = listened.group_by("ip").agg((pl.col("campaigns").list.len() > 0).any().alias("exposed"))
    visitors = pixels.filter(pl.col("channel") == "site").select("ip").unique()
    rates = homes.with_columns(visited=pl.col("ip").is_in(visitors["ip"].implode())).group_by("exposed").agg(
        pl.len().alias("n"), pl.col("visited").sum().alias("v"))
    got = {row["exposed"]: (row["n"], row["v"]) for row in rates.iter_rows(named=True)}
    (n_e, v_e), (n_c, v_c) = got[True], got[False]
    p_e, p_c = v_e / n_e, v_c / n_c
    # the standard error of the log of a ratio of two proportions; four of them either side
    se = math.sqrt((1 - p_e) / v_e + (1 - p_c) / v_c)
    assert abs(math.log(p_e / p_c) - math.log(1 + TRUE_LIFT)) < 4 * se, (p_e, p_c, se)
    assert p_e > p_c


def test_promo_codes_vanity_urls_and_survey_answers_are_the_catalogs(demo):
    rows, _, _, pixels, _ = demo
    codes = {c["code"] for c in rows["promo_codes"]}
    urls = {v["url"] for v in rows["vanity_urls"]}
    used_codes = set(pixels["promo_code"].drop_nulls())
    used_urls = set(pixels["vanity_url"].drop_nulls())
    assert used_codes and used_codes <= codes
    assert used_urls and used_urls <= urls
    with_code = pixels.filter(pl.col("promo_code").is_not_null())
    assert with_code["event_type"].unique().to_list() == ["conversion"]
    assert pixels.filter(pl.col("vanity_url").is_not_null())["channel"].unique().to_list() == ["site"]
    answers = pixels.filter(pl.col("channel") == "survey")["survey_answer"]
    titles = [s["title"] for s in rows["shows"]]
    named = answers.map_elements(lambda a: any(t in a for t in titles), return_dtype=pl.Boolean)
    assert answers.len() > 0 and named.any() and not named.all()
    # every buyer is a visitor: a conversion's user visited first
    visits = pixels.filter(pl.col("channel") == "site")
    first_visit = visits.group_by("user_id").agg(pl.col("occurred_at").min())
    bought = pixels.filter(pl.col("event_type") == "conversion").join(first_visit, on="user_id", suffix="_v")
    assert bought.height == pixels.filter(pl.col("event_type") == "conversion").height
    assert (bought["occurred_at"] >= bought["occurred_at_v"]).all()
    assert (pixels.filter(pl.col("event_type") == "conversion")["revenue"] > 0).all()


def test_same_seed_same_pixel(demo):
    rows, log, _, pixels, end = demo
    assert pixel_events(log, rows, end, seed=SEED, base_rate=0.15).equals(pixels)


def test_the_event_file_carries_the_pixel_columns(demo):
    _, _, _, pixels, _ = demo
    events = generate_events(200, seed=SEED, start=START)
    both = with_pixels(events, pixels)
    assert both.columns == [*EVENT_COLUMNS, *PIXEL_COLUMNS]
    assert both.height == events.height + pixels.height
    assert both.filter(pl.col("ip").is_null()).height == events.height
    assert both["occurred_at"].is_sorted()
