"""A demo tenant's request log: what its host's CDN would have logged for the downloads its placements report.

For each (episode, day) with reported deliveries, about that many listeners fetch the episode's file the way
podcast apps do (a whole-file GET, Apple's two-byte probe then the file, a download in two ranges, a resume,
a partial listen that never reaches a minute of audio), some twice, through prefix trackers or not; a share
stop after a minute or more of audio, before the ads (half of them skipped the opening and its dynamic
pre-roll), so the same shows' weeks hold listeners without an ad, a campaign's control households; around
them the noise a real log holds: crawlers, cloud addresses, HEADs, 304s, an Apple Watch, unknown URLs. The
counts Earmark then certifies come out below what the host reported, as they do in practice.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import numpy as np
import polars as pl

from earmark.downloads.reader import COLUMNS

APPS = (
    "AppleCoreMedia/1.0.0.21E236 (iPhone; U; CPU OS 17_4 like Mac OS X; en_us)",
    "Podcasts/1.1.0.1 CFNetwork/1498.700.2 Darwin/23.6.0",
    "Spotify/8.9.42 Android/34 (SM-S918B)",
    "Overcast/3.0 (+http://overcast.fm/; iOS podcast app)",
    "PocketCasts/7.70 (Android 14)",
    "AntennaPod/3.4.0",
    "Podcast Addict/v2 - Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8)",
    "Castro 2024.5/1.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/125.0 Safari/537.36",
)
BOTS = ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "python-requests/2.32.3",
        "curl/8.7.1", "")
WATCH = "AppleCoreMedia/1.0.0.21T216 (Apple Watch; U; CPU watchOS 10_4 like Mac OS X; en_us)"
TRACKERS = ("https://", "https://dts.podtrac.com/redirect.mp3/", "https://chrt.fm/track/DEMO42/",
            "https://op3.dev/e/")
# how listeners fetch a file: whole GET, probe + whole, two ranges, resume, a partial listen
PATTERNS = np.array([0.50, 0.25, 0.10, 0.07, 0.08])
# the share of listeners who stop early: past a minute of audio (a download) and before a fifth of the file,
# so before a baked spot's quarter, a mid-roll and a post-roll (a dynamic pre-roll just after the ID3 tag is
# still delivered)
STOP_SHARE = 0.3


def request_log(episodes: pl.DataFrame, deliveries: list[dict], ad_slots: list[dict], days: tuple[date, date],
                seed: int = 7, share: float = 1.0, stop_share: float = STOP_SHARE) -> pl.DataFrame:
    """The log's rows (IAB_COUNTING.md's columns, as strings) for days first..last, about in time order."""
    rng = np.random.default_rng([seed, 13])
    stops = np.random.default_rng([seed, 14])  # a stream of its own: the other draws stay as they were
    slotted = {slot["placement_id"]: slot["episode_id"] for slot in ad_slots if slot.get("placement_id")}
    demand: dict[tuple[str, date], int] = {}
    for row in deliveries:
        episode = slotted.get(row["placement_id"])
        if episode is not None and days[0] <= row["day"] <= days[1]:
            key = (episode, row["day"])
            demand[key] = max(demand.get(key, 0), round(row["impressions"] * share))
    files = {e["episode_id"]: e for e in episodes.iter_rows(named=True)}
    parts = [_downloads(rng, files[episode], day, count, stops, stop_share)
             for (episode, day), count in sorted(demand.items()) if count > 0]
    if not parts:
        return pl.DataFrame(schema={c: pl.String for c in COLUMNS})
    log = pl.concat(parts)
    log = pl.concat([log, _noise(rng, log)])
    # merged edge logs: in time order up to a few seconds
    jitter = rng.integers(0, 5_000, log.height)
    log = log.with_columns(order=pl.col("ts_ms") + jitter).sort("order")
    log = log.with_row_index("n").with_columns(request_id=pl.format("req-{}", pl.col("n")))
    return log.select(
        "request_id",
        ts=pl.from_epoch("ts_ms", "ms").dt.strftime("%Y-%m-%dT%H:%M:%S%.3fZ"),
        method="method", ip="ip", user_agent="user_agent", referer=pl.lit(""), url="url", range="range",
        status=pl.col("status").cast(pl.String), bytes_sent=pl.col("bytes_sent").cast(pl.String))


def _downloads(rng: np.random.Generator, file: dict, day: date, count: int,
               stops: np.random.Generator | None = None, stop_share: float = 0.0) -> pl.DataFrame:
    total = int(file["bytes_total"])
    minute = int(file["id3_bytes"]) + (total - int(file["id3_bytes"])) * 60 // int(file["duration_s"])
    start = datetime.combine(day, time(0), tzinfo=UTC).timestamp() * 1000
    # listening peaks in the evening: a clipped normal around 19:00 UTC
    clock = np.clip(rng.normal(19 * 3_600_000, 4 * 3_600_000, count), 0, 86_400_000 - 60_000).astype(np.int64)
    ips = _addresses(rng, count)
    agents = rng.choice(len(APPS), count)
    trackers = rng.choice(len(TRACKERS), count, p=[0.55, 0.25, 0.15, 0.05])
    pattern = rng.choice(len(PATTERNS), count, p=PATTERNS)
    if stops is not None and stop_share > 0:
        stopped = (stops.random(count) < stop_share) & (pattern != 4)
        second = (total - int(file["id3_bytes"])) // int(file["duration_s"])
        low = minute + 5 * second
        stop_at = stops.integers(low, max(low + 1, total // 5), count)
        # half of them skip the opening (an app streaming from where the listener jumped to): past a
        # dynamic pre-roll too, so its shows' weeks also hold listeners without an ad
        skip = np.where(stops.random(count) < 0.5, int(file["id3_bytes"]) + 45 * second, 0)
        held = skip + int(file["id3_bytes"]) + 75 * second
        stop_at = np.where(skip > 0, np.maximum(stop_at, held), stop_at)
    else:
        stopped = np.zeros(count, bool)
        stop_at = np.zeros(count, np.int64)
        skip = np.zeros(count, np.int64)
    rows: dict[str, list] = {k: [] for k in ("ts_ms", "method", "ip", "user_agent", "url", "range", "status",
                                              "bytes_sent")}
    path = file["enclosure_url"].removeprefix("https://")

    def add(i: int, offset_ms: int, range_text: str, status: int, sent: int) -> None:
        rows["ts_ms"].append(int(start) + int(clock[i]) + offset_ms)
        rows["method"].append("GET")
        rows["ip"].append(ips[i])
        rows["user_agent"].append(APPS[agents[i]])
        rows["url"].append(TRACKERS[trackers[i]] + path + ("?utm_source=app" if i % 7 == 0 else ""))
        rows["range"].append(range_text)
        rows["status"].append(status)
        rows["bytes_sent"].append(sent)

    half = total // 2
    for i in range(count):
        kind = pattern[i]
        if stopped[i]:  # a listen that stops a few minutes in, before the ads
            add(i, 0, f"bytes={int(skip[i])}-", 206, int(stop_at[i] - skip[i]))
        elif kind == 0:
            add(i, 0, "", 200, total)
        elif kind == 1:
            add(i, 0, "bytes=0-1", 206, 2)
            add(i, 400, "bytes=0-", 206, total)
        elif kind == 2:
            add(i, 0, f"bytes=0-{half - 1}", 206, half)
            add(i, 90_000, f"bytes={half}-{total - 1}", 206, total - half)
        elif kind == 3:  # stopped a third in, resumed later the same day
            add(i, 0, "", 200, total // 3)
            add(i, 3_600_000, f"bytes={total // 3}-", 206, total - total // 3)
        else:  # a listen that stops before a minute of audio arrived
            add(i, 0, "bytes=0-", 206, max(2, minute // 2))
        # a retry of the same bytes a few minutes on: never a second download
        if i % 11 == 0 and not stopped[i]:
            add(i, 300_000, "", 200, total)
    return pl.DataFrame(rows, schema={"ts_ms": pl.Int64, "method": pl.String, "ip": pl.String,
                                      "user_agent": pl.String, "url": pl.String, "range": pl.String,
                                      "status": pl.Int64, "bytes_sent": pl.Int64})


def _addresses(rng: np.random.Generator, count: int) -> list[str]:
    """Home and mobile listeners: mostly IPv4 from a pool (some share a carrier NAT), a fifth IPv6 privacy
    addresses inside their household's /64."""
    pool = rng.integers(0x0B000000, 0xDF000000, max(count, 1))
    found = []
    for i in range(count):
        if i % 5 == 4:
            prefix = int(pool[i]) & 0xFFFFFFFF
            found.append(f"2a02:{prefix >> 16 & 0xffff:x}:{prefix & 0xffff:x}:1:{rng.integers(1, 0xffff):x}::"
                         f"{rng.integers(1, 0xffff):x}")
        else:
            value = int(pool[i])
            found.append(f"{value >> 24 & 255}.{value >> 16 & 255}.{value >> 8 & 255}.{value & 255}")
    return found


def _noise(rng: np.random.Generator, log: pl.DataFrame) -> pl.DataFrame:
    """About one request in twelve that never counts: crawlers, cloud machines, HEADs, 304s, a watch, and
    URLs the catalog does not know."""
    count = max(1, log.height // 12)
    sample = log.sample(count, seed=int(rng.integers(1 << 30)), with_replacement=True)
    kind = rng.choice(6, count)
    ua = np.where(kind == 0, np.array(BOTS, dtype=object)[rng.choice(len(BOTS), count)],
                  np.where(kind == 4, WATCH, sample["user_agent"].to_numpy()))
    ip = np.where(kind == 1, [f"54.{rng.integers(0, 255)}.{rng.integers(0, 255)}.{rng.integers(1, 255)}"
                              for _ in range(count)], sample["ip"].to_numpy())
    return sample.with_columns(
        ts_ms=pl.col("ts_ms") + pl.Series(rng.integers(1_000, 600_000, count)),
        user_agent=pl.Series(ua, dtype=pl.String), ip=pl.Series(ip, dtype=pl.String),
        method=pl.when(pl.Series(kind == 2)).then(pl.lit("HEAD")).otherwise(pl.col("method")),
        status=pl.when(pl.Series(kind == 3)).then(pl.lit(304)).otherwise(pl.col("status")),
        url=pl.when(pl.Series(kind == 5)).then(pl.lit("https://media.example.com/old/feed-art.jpg"))
        .otherwise(pl.col("url")),
    )


def write_request_log(frame: pl.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_csv(path)
    return path
