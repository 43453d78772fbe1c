"""A demo tenant's site pixel, consistent with its request log (issue 17): the households (addresses) that
downloaded its shows visit the advertisers' sites, those delivered an ad more often.

From the log, as a listener's app fetched it: each household's downloads (a minute of audio or more) and the
ads whose bytes they held (earmark.downloads.rules.ad_portion). A household delivered an ad of a campaign
visits the advertiser's site within the matching window with probability (1 + lift) × the base probability
that listeners of the same shows without an ad have; a share of visitors convert (the same user, with
revenue), some exposed visitors arrive by the campaign's vanity URL, some exposed buyers use its promo code,
and some buyers answer the post-purchase survey, naming the show ("heard it on The Long Run pod") or nothing.
Each visiting household is one user, a few two (another browser). Seeded: same arguments, same frame.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import polars as pl

from earmark.demo.events import EVENT_COLUMNS, EVENT_SCHEMA, ID_SPACE, _identifiers
from earmark.demo.requests import APPS
from earmark.downloads import rules

TRUE_LIFT = 0.30
BASE_VISIT_RATE = 0.05  # a listener without an ad visiting within the window
CONVERSION_RATE = 0.15  # of visiting households
VANITY_SHARE = 0.20  # of exposed visits: typed the URL the host read out
PROMO_SHARE = 0.40  # of exposed conversions: used the campaign's code at checkout
SURVEY_SHARE = 0.30  # of conversions: answered "where did you hear about us?"
SECOND_USER_SHARE = 0.08  # of visiting households: another person, on another browser
PIXEL_COLUMNS = ("ip", "user_agent", "survey_answer")
PIXEL_SCHEMA = pl.Schema({**EVENT_SCHEMA, **{c: pl.String for c in PIXEL_COLUMNS}})
BROWSERS = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 "
    "Mobile Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 "
    "Safari/537.36",
)
HEARD = ("heard it on {} pod", "{} podcast", "the host of {} talked about it", "an ad on {}")
NOWHERE = ("a friend told me", "can't remember", "instagram i think", "just googled it")
_EPISODE_URL = r"media\.example\.com/[^/]+/([^/?]+)\.mp3"
USER_MULTIPLIER = 0xD6E8FEB86659FD93 % ID_SPACE | 1
EVENT_MULTIPLIER = 0xA0761D6478BD642F % ID_SPACE | 1


def households(log: pl.DataFrame, rows: dict) -> pl.DataFrame:
    """Per household (ip) and show downloaded: the first download, and the campaigns whose ads were
    delivered (empty for a household that stopped before them): ip, show_id, first_at, campaigns."""
    episodes = pl.DataFrame(rows["episodes"]).select(
        "episode_id", "show_id", "bytes_total",
        minute=pl.col("id3_bytes")
        + (pl.col("bytes_total") - pl.col("id3_bytes")) * 60 // pl.col("duration_s"))
    campaign_of = {p["placement_id"]: p["campaign_id"] for p in rows["placements"]}
    totals = dict(zip(episodes["episode_id"], episodes["bytes_total"], strict=True))
    ads = pl.DataFrame(
        [{"episode_id": s["episode_id"], "campaign_id": campaign_of[s["placement_id"]],
          "portion": rules.ad_portion(s["kind"], s["start_byte"], s["end_byte"], totals[s["episode_id"]])}
         for s in rows["ad_slots"] if s.get("placement_id") in campaign_of and s["episode_id"] in totals],
        schema={"episode_id": pl.String, "campaign_id": pl.String, "portion": pl.List(pl.Int64)},
        orient="row",
    ).select("episode_id", "campaign_id", first=pl.col("portion").list.get(0),
             needs=pl.col("portion").list.get(1)).filter(pl.col("needs") > pl.col("first"))
    fetched = (
        log.filter((pl.col("method") == "GET") & pl.col("status").is_in(["200", "206"])
                   & pl.col("user_agent").is_in(list(APPS)) & ~pl.col("ip").str.starts_with("54."))
        .with_columns(
            episode_id=pl.col("url").str.extract(_EPISODE_URL, 1),
            at=pl.col("ts").str.to_datetime("%Y-%m-%dT%H:%M:%S%.3fZ", time_unit="us", time_zone="UTC"),
            a=pl.col("range").str.extract(r"^bytes=(\d+)-", 1).cast(pl.Int64).fill_null(0),
        )
        .with_columns(b=pl.col("a") + pl.col("bytes_sent").cast(pl.Int64))
        .join(episodes, on="episode_id")
        .sort("ip", "episode_id", "a")
    )
    # the byte ranges each listener's requests of an episode held, merged where they touch or overlap
    spans = (
        fetched.with_columns(
            reached=pl.col("b").cum_max().shift(1).over("ip", "episode_id"))
        .with_columns(piece=(pl.col("reached").is_null() | (pl.col("a") > pl.col("reached")))
                      .cum_sum().over("ip", "episode_id"))
        .group_by("ip", "episode_id", "piece")
        .agg(pl.col("a").min(), pl.col("b").max())
    )
    fetched = (
        fetched.group_by("ip", "episode_id", "show_id", "minute").agg(pl.col("at").min().alias("first_at"))
        .join(spans.group_by("ip", "episode_id").agg((pl.col("b") - pl.col("a")).sum().alias("held")),
              on=["ip", "episode_id"])
        .filter(pl.col("held") >= pl.col("minute"))
    )
    delivered = (
        spans.join(ads, on="episode_id")
        .filter((pl.col("a") <= pl.col("first")) & (pl.col("b") >= pl.col("needs")))
        .join(fetched.select("ip", "episode_id"), on=["ip", "episode_id"])
        .group_by("ip", "episode_id").agg(pl.col("campaign_id").unique().sort().alias("campaigns"))
    )
    return (
        fetched.join(delivered, on=["ip", "episode_id"], how="left")
        .with_columns(pl.col("campaigns").fill_null(pl.lit([], pl.List(pl.String))))
        .group_by("ip", "show_id")
        .agg(pl.col("first_at").min(), _every("campaigns"))
        .sort("ip", "show_id")
    )


def pixel_events(log: pl.DataFrame, rows: dict, end: datetime, *, seed: int = 7, lift: float = TRUE_LIFT,
                 base_rate: float = BASE_VISIT_RATE) -> pl.DataFrame:
    """The pixel's events (EVENT_COLUMNS + ip, user_agent, survey_answer) up to `end`, in time order."""
    rng = np.random.default_rng([seed, 17])
    listened = households(log, rows)
    if listened.is_empty():
        return pl.DataFrame(schema=PIXEL_SCHEMA)
    # a household's visit follows its first download (its first ad, when it had one) of a show it heard
    per_home = listened.sort("ip", "first_at").group_by("ip", maintain_order=True).agg(
        pl.col("show_id").first(), pl.col("first_at").first(),
        _every("campaigns"), (pl.col("campaigns").list.len() > 0).any().alias("exposed"),
    )
    exposed_first = listened.filter(pl.col("campaigns").list.len() > 0).sort("first_at").group_by("ip").agg(
        pl.col("first_at").first().alias("ad_at"), pl.col("show_id").first().alias("ad_show"))
    per_home = per_home.join(exposed_first, on="ip", how="left").with_columns(
        first_at=pl.coalesce("ad_at", "first_at"), show_id=pl.coalesce("ad_show", "show_id"))
    show_campaigns = _campaigns_by_show(rows)
    titles = {s["show_id"]: s["title"] for s in rows["shows"]}
    codes = {c["campaign_id"]: c["code"] for c in rows["promo_codes"]}
    urls = {v["campaign_id"]: v["url"] for v in rows["vanity_urls"]}
    end_us = int(end.timestamp() * 1_000_000)

    out: dict[str, list] = {c: [] for c in PIXEL_SCHEMA.names()}
    users: list[int] = []

    def add(user: int, at_us: int, kind: str, channel: str | None, source: str, ip: str, agent: str, *,
            campaign: str | None = None, revenue: float = 0.0, show: str | None = None,
            code: str | None = None, url: str | None = None, answer: str | None = None) -> None:
        users.append(user)
        out["occurred_at"].append(min(at_us, end_us))
        out["event_type"].append(kind)
        out["channel"].append(channel)
        out["campaign_id"].append(campaign)
        out["revenue"].append(revenue)
        out["source"].append(source)
        out["currency"].append("USD")
        out["show_id"].append(show)
        out["episode_id"].append(None)
        out["placement_id"].append(None)
        out["promo_code"].append(code)
        out["vanity_url"].append(url)
        out["ip"].append(ip)
        out["user_agent"].append(agent)
        out["survey_answer"].append(answer)

    homes = per_home.to_dicts()
    draws = rng.random(len(homes))
    next_user = 0
    for home, draw in zip(homes, draws, strict=True):
        exposed = home["exposed"]
        if draw >= base_rate * ((1 + lift) if exposed else 1.0):
            continue
        first_us = int(home["first_at"].timestamp() * 1_000_000)
        if first_us >= end_us:
            continue
        campaign = (str(rng.choice(home["campaigns"])) if exposed
                    else _pick(rng, show_campaigns.get(home["show_id"], [])))
        # most visit within days of hearing the ad; none after the window's end
        delay = int(rng.exponential(2 * 86_400e6)) + 600_000_000
        visit_us = first_us + delay if first_us + delay < end_us else int(rng.integers(first_us, end_us))
        agent = BROWSERS[int(rng.integers(len(BROWSERS)))]
        user, next_user = next_user, next_user + 1
        vanity = exposed and campaign in urls and rng.random() < VANITY_SHARE
        add(user, visit_us, "touchpoint", "site", "vanity_url" if vanity else "pixel_visit", home["ip"],
            agent, url=urls[campaign] if vanity else None)
        if rng.random() < SECOND_USER_SHARE:
            step = 1 + int(rng.integers(len(BROWSERS) - 1))
            other = BROWSERS[(BROWSERS.index(agent) + step) % len(BROWSERS)]
            second, next_user = next_user, next_user + 1
            add(second, visit_us + int(rng.integers(600, 86_400)) * 1_000_000, "touchpoint", "site",
                "pixel_visit", home["ip"], other)
        if rng.random() >= CONVERSION_RATE:
            continue
        bought_us = visit_us + int(rng.exponential(40 * 60e6)) + 60_000_000
        promo = exposed and campaign in codes and rng.random() < PROMO_SHARE
        add(user, bought_us, "conversion", None, "checkout", home["ip"], agent,
            revenue=round(float(rng.lognormal(np.log(70.0), 0.5)), 2),
            code=codes[campaign] if promo else None)
        if rng.random() < SURVEY_SHARE:
            named = exposed and rng.random() < 0.85
            answer = (HEARD[int(rng.integers(len(HEARD)))].format(titles[home["show_id"]]) if named
                      else NOWHERE[int(rng.integers(len(NOWHERE)))])
            add(user, bought_us + 120_000_000, "touchpoint", "survey", "survey", home["ip"], agent,
                answer=answer)
    if not users:
        return pl.DataFrame(schema=PIXEL_SCHEMA)
    salt = np.random.default_rng([seed, 18]).integers(0, ID_SPACE, 2)
    out["user_id"] = _identifiers("v", np.array(users, dtype=np.uint64), USER_MULTIPLIER,
                                  int(salt[0])).to_list()
    out["event_id"] = _identifiers("px", np.arange(len(users), dtype=np.uint64), EVENT_MULTIPLIER,
                                   int(salt[1])).to_list()
    frame = pl.DataFrame(
        {c: out[c] for c in PIXEL_SCHEMA.names() if c != "occurred_at"}
        | {"occurred_at": pl.Series(out["occurred_at"], dtype=pl.Int64).cast(pl.Datetime("us", "UTC"))},
    ).select(PIXEL_SCHEMA.names()).cast(dict(PIXEL_SCHEMA))
    return frame.sort("occurred_at", "event_id")


def with_pixels(events: pl.DataFrame, pixels: pl.DataFrame) -> pl.DataFrame:
    """The tenant's event file with its pixel's events: the pixel columns empty on the other rows."""
    others = events.select(EVENT_COLUMNS).with_columns(
        pl.lit(None, pl.String).alias(c) for c in PIXEL_COLUMNS)
    return pl.concat([others.cast(dict(PIXEL_SCHEMA)), pixels.select(PIXEL_SCHEMA.names())]).sort(
        "occurred_at", maintain_order=True)


def _every(column: str) -> pl.Expr:
    """The distinct values of a list column over a group, sorted."""
    return pl.col(column).list.explode(keep_nulls=False, empty_as_null=False).unique().sort()


def _campaigns_by_show(rows: dict) -> dict[str, list[str]]:
    found: dict[str, set[str]] = {}
    for placement in rows["placements"]:
        found.setdefault(placement["show_id"], set()).add(placement["campaign_id"])
    return {show: sorted(campaigns) for show, campaigns in found.items()}


def _pick(rng: np.random.Generator, options: list[str]) -> str | None:
    return str(options[int(rng.integers(len(options)))]) if options else None
