"""The catalog of the download counting benchmark (bench/downloads_bench.py): shows, episodes with
enclosure URLs, sizes, durations and ID3 tags, and dai and baked ad slots, from a seed."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import polars as pl

DAY_MS = 86_400_000


HOSTS = ("media.earshot-cdn.net", "traffic.wavehost.fm", "audio.castdeck.io", "cdn.podsphere.example.com",
         "chtbl-free.mediahub.org")


def make_catalog(seed: int, episodes: int, start: date) -> dict[str, pl.DataFrame]:
    """Shows, episodes and ad slots; deterministic in (seed, episodes, start)."""
    rng = np.random.default_rng(seed)
    n_shows = max(1, episodes // 20)
    show_weight = 1.0 / np.arange(1, n_shows + 1) ** 0.9
    show = np.sort(rng.choice(n_shows, episodes, p=show_weight / show_weight.sum()))
    rank = np.arange(episodes) - np.searchsorted(show, show)  # 0 = the show's newest episode
    cadence = rng.choice([1, 3.5, 7, 7, 7, 14], n_shows)[show]
    start_ms = day_ms(start)
    newest = start_ms + rng.uniform(-14, 7, n_shows)[show] * DAY_MS
    published = (newest - rank * cadence * DAY_MS).astype(np.int64)
    duration = np.clip(rng.lognormal(np.log(2400), 0.6, episodes), 120, 4 * 3600)
    trailer = rng.random(episodes) < 0.02
    duration = np.where(trailer, rng.uniform(20, 60, episodes), duration)
    duration = np.where(rng.random(episodes) < 0.3, np.round(duration * 2) / 2, np.round(duration))
    bitrate = rng.choice([64_000, 96_000, 128_000, 192_000], episodes, p=[0.25, 0.2, 0.45, 0.1])
    id3 = np.where(rng.random(episodes) < 0.15, 0, rng.integers(4_000, 800_000, episodes))
    total = id3 + (duration * bitrate / 8).astype(np.int64)
    host = rng.integers(0, len(HOSTS), n_shows)
    ids = [f"ep-{i:05d}" for i in range(episodes)]
    urls = [f"https://{HOSTS[host[s]]}/{slug(s)}/{datetime.fromtimestamp(p / 1000, UTC):%Y/%m}/"
            f"{'Episode' if i % 7 == 0 else 'ep'}{int(r_)}-{(i * 2654435761) % 16**6:06x}.mp3"
            for i, (s, p, r_) in enumerate(zip(show, published, rank, strict=True))]
    missing = rng.random(episodes) < 0.005  # no duration in the catalog: cannot be counted (unknown_episode)
    eps = pl.DataFrame({
        "episode_id": ids, "show_id": [f"show-{s:04d}" for s in show],
        "published_at": pl.Series(published).cast(pl.Datetime("ms")).dt.replace_time_zone("UTC"),
        "enclosure_url": urls, "bytes_total": total,
        "duration_s": pl.Series(np.where(missing, np.nan, duration)).fill_nan(None), "id3_bytes": id3})
    slots = []
    bps = bitrate / 8
    for i in range(episodes):
        audio0, size = int(id3[i]), int(total[i])
        length = lambda seconds, i=i: int(seconds * bps[i])  # noqa: E731
        if duration[i] < 300:
            continue
        k = 0
        if rng.random() < 0.7:  # pre-roll, just after the ID3 tag
            slots.append((f"ad-{i:05d}-{k}", ids[i], "dai", audio0, audio0 + length(30) - 1))
            k += 1
        for _ in range(rng.integers(0, 3)):  # mid-rolls
            at = audio0 + int(rng.uniform(0.2, 0.8) * (size - audio0))
            end = min(size - 1, at + length(rng.choice([30, 60])) - 1)
            slots.append((f"ad-{i:05d}-{k}", ids[i], "dai", at, end))
            k += 1
        if rng.random() < 0.3:  # post-roll
            slots.append((f"ad-{i:05d}-{k}", ids[i], "dai", size - length(45), size - length(15) - 1))
            k += 1
        if rng.random() < 0.35:  # a host read, baked into the file
            at = audio0 + int(rng.uniform(0.05, 0.9) * (size - audio0))
            slots.append((f"ad-{i:05d}-{k}", ids[i], "baked", at, min(size - 1, at + length(75) - 1)))
    ad_slots = pl.DataFrame(slots, schema={"ad_id": pl.String, "episode_id": pl.String, "kind": pl.String,
                                           "start_byte": pl.Int64, "end_byte": pl.Int64}, orient="row")
    shows = pl.DataFrame({"show_id": [f"show-{s:04d}" for s in range(n_shows)],
                          "title": [f"Show {s}" for s in range(n_shows)]})
    return {"shows": shows, "episodes": eps, "ad_slots": ad_slots}


def slug(show: int) -> str:
    words = ("daily", "weekly", "true-crime", "tech", "history", "comedy", "science", "sport", "news",
             "money")
    return f"{words[show % 10]}-{words[(show // 10) % 10]}-{show}"


def day_ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)
