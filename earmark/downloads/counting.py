"""R1-R7 over one tenant's requests: the filters, the listener key, both windows and the delivered ads.

Pure: frames in, frames out. `count` takes requests whose strings and addresses are already ids (what the
database holds, earmark.downloads.prepared makes the same from a log in memory):

    request_id, ts_ms, method, status, ip_key, in_datacenter, ua_id, url_id,
    range_kind, range_a, range_b, bytes_sent, kind

`kind` is 0 for a request to count. A counting run over days a..b (earmark.downloads.counted) also hands
in the rolling state the day before a left behind: kind 1, a request of that day still pending (eligible,
not yet in a download); kind 2, one row per download that day opened whose 24 h reach into day a. Those rows
are not counted again; they make the run start where the previous one stopped, so counting day by day
gives what counting everything at once gives.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from earmark.downloads import kernels, reasons, rules, urls
from earmark.downloads.lists.parse import BotList

DAY_MS = kernels.DAY_MS
EMPTY_OUTCOMES = {"request_id": pl.String, "day": pl.Date,
                  "fixed_reason": pl.Int16, "fixed_download": pl.String,
                  "rolling_reason": pl.Int16, "rolling_download": pl.String, "rolling_download_day": pl.Date}


@dataclass(frozen=True)
class Rules:
    bots: BotList
    spike_threshold: int = 50


@dataclass(frozen=True)
class Catalog:
    """The tenant's episodes (episode_id, show_id, enclosure_url, bytes_total, duration_s, id3_bytes) and
    ad slots (ad_id, episode_id, kind, start_byte, end_byte)."""

    episodes: pl.DataFrame
    ad_slots: pl.DataFrame


@dataclass
class Counted:
    outcomes: pl.DataFrame   # per kind-0 request: its reason and download, per mode
    downloads: pl.DataFrame  # per mode and download: episode, day, listener, requests, bytes, ads
    ads: pl.DataFrame        # per mode and delivered ad: mode, download_id, ad_id, day


def countable_episodes(catalog: Catalog) -> pl.DataFrame:
    """Episodes Earmark can count: with an enclosure URL, a size and a duration (R4, R5 need them), their
    matching key and threshold, numbered 0..n-1 (the kernels' episode index)."""
    rows = []
    seen: set[str] = set()
    for row in catalog.episodes.sort("episode_id").iter_rows(named=True):
        key = urls.normalise(row["enclosure_url"])
        if not key or row["bytes_total"] is None or row["duration_s"] is None or key in seen:
            continue  # two episodes with one URL: the first by id keeps it (a catalog error imports allow)
        seen.add(key)
        rows.append({"episode_id": row["episode_id"], "show_id": row["show_id"], "url_key": key,
                     "bytes_total": int(row["bytes_total"]),
                     "threshold": rules.threshold(int(row["bytes_total"]), row["duration_s"],
                                                  row["id3_bytes"])})
    schema = {"episode_id": pl.String, "show_id": pl.String, "url_key": pl.String, "bytes_total": pl.Int64,
              "threshold": pl.Int64}
    return pl.DataFrame(rows, schema=schema, orient="row").with_row_index("episode", offset=0).with_columns(
        pl.col("episode").cast(pl.Int64))


def _episode_of_url(url_frame: pl.DataFrame, episodes: pl.DataFrame) -> pl.DataFrame:
    keys = url_frame.with_columns(url_key=pl.col("url").map_elements(urls.normalise, return_dtype=pl.String))
    return keys.join(episodes.select("url_key", "episode", "bytes_total", "threshold"), on="url_key",
                     how="left").select("url_id", "episode", "bytes_total", "threshold")


def _agent_flags(agents: pl.DataFrame, bots: BotList) -> pl.DataFrame:
    return agents.select(
        "ua_id",
        is_bot=pl.col("user_agent").map_elements(bots.is_bot, return_dtype=pl.Boolean),
        is_watch=pl.col("user_agent").str.to_lowercase()
        .str.contains("watchos", literal=True).fill_null(False),
    )


def filter_reasons(requests: pl.DataFrame, url_frame: pl.DataFrame, agents: pl.DataFrame,
                   episodes: pl.DataFrame, counting_rules: Rules) -> pl.DataFrame:
    """R2: each request's first failed filter (0 = eligible), with its episode, interval and threshold."""
    frame = (requests
             .join(_episode_of_url(url_frame, episodes), on="url_id", how="left")
             .join(_agent_flags(agents, counting_rules.bots), on="ua_id", how="left"))
    probe = (pl.col("range_kind") == rules.CLOSED) & (pl.col("range_b") - pl.col("range_a") + 1 <= 2)
    first_seven = (pl.when(pl.col("method") != "GET").then(reasons.NOT_GET)
                   .when(~pl.col("status").is_in([200, 206])).then(reasons.BAD_STATUS)
                   .when(pl.col("episode").is_null()).then(reasons.UNKNOWN_EPISODE)
                   .when(pl.col("is_bot").fill_null(False)).then(reasons.BOT_UA)
                   .when(pl.col("in_datacenter")).then(reasons.DATACENTER_IP)
                   .when(pl.col("is_watch").fill_null(False)).then(reasons.APPLE_WATCH)
                   .when(probe).then(reasons.PROBE_ONLY)
                   .otherwise(reasons.COUNTED))
    carried = pl.col("kind") != kernels.NORMAL
    frame = frame.with_columns(day_no=(pl.col("ts_ms") // DAY_MS).cast(pl.Int32),
                               reason=pl.when(carried).then(reasons.COUNTED).otherwise(first_seven).cast(pl.Int16))
    # R2.8: per (IP key, UTC day), distinct (user agent, episode) pairs among the requests that passed 1-7.
    passed = (pl.col("reason") == reasons.COUNTED) & ~carried
    pairs = (frame.filter(passed).group_by("ip_key", "day_no")
             .agg(pairs=pl.struct("ua_id", "episode").n_unique()))
    spiked = pairs.filter(pl.col("pairs") > counting_rules.spike_threshold).select("ip_key", "day_no",
                                                                                  spike=pl.lit(True))
    frame = frame.join(spiked, on=["ip_key", "day_no"], how="left").with_columns(
        reason=pl.when(passed & pl.col("spike").fill_null(False)).then(reasons.IP_SPIKE)
        .otherwise(pl.col("reason")).cast(pl.Int16))
    return rules.intervals(frame).drop("spike", "is_bot", "is_watch")


def count(requests: pl.DataFrame, url_frame: pl.DataFrame, agents: pl.DataFrame, catalog: Catalog,
          counting_rules: Rules, keep_days: tuple[int, int] | None = None) -> Counted:
    """Both windows and the delivered ads. keep_days (first, last day numbers since the epoch) limits what is
    returned to those days' requests and downloads; later rows are read only as the rolling window's reach."""
    episodes = countable_episodes(catalog)
    frame = filter_reasons(requests, url_frame, agents, episodes, counting_rules)
    eligible = (frame.filter(pl.col("reason") == reasons.COUNTED)
                .sort("ip_key", "ua_id", "episode", "ts_ms", "request_id"))
    group = (pl.struct("ip_key", "ua_id", "episode").rle_id()).alias("group")
    eligible = eligible.with_columns(group)
    windows = {mode: _windows(eligible, mode) for mode in reasons.MODES}
    ad_table = _ad_table(catalog.ad_slots, episodes)
    first, last = keep_days if keep_days is not None else (-(2**31), 2**31 - 1)
    outcomes = _outcomes(frame, eligible, windows, first, last)
    downloads, ads = [], []
    for mode, (reason, download) in windows.items():
        found, delivered = _downloads(eligible, reason, download, ad_table, episodes, mode, first, last)
        downloads.append(found)
        ads.append(delivered)
    return Counted(outcomes, pl.concat(downloads), pl.concat(ads))


def _windows(eligible: pl.DataFrame, mode: str) -> tuple[np.ndarray, np.ndarray]:
    n = eligible.height
    reason = np.full(n, reasons.BELOW_THRESHOLD, np.int16)
    download = np.full(n, -1, np.int64)
    group = eligible["group"].to_numpy().astype(np.int64)
    start = eligible["start"].to_numpy()
    end = eligible["end"].to_numpy()
    threshold = eligible["threshold"].to_numpy()
    if mode == "fixed":
        normal = (eligible["kind"] == kernels.NORMAL).to_numpy()
        # carried rows belong to an earlier day's fixed windows: leave them out of today's
        index = np.flatnonzero(normal)
        sub_reason = np.full(index.size, reasons.BELOW_THRESHOLD, np.int16)
        sub_download = np.full(index.size, -1, np.int64)
        kernels.fixed_windows(group[index], eligible["day_no"].to_numpy()[index], start[index], end[index],
                              threshold[index], sub_reason, sub_download)
        reason[index] = sub_reason
        download[index] = np.where(sub_download >= 0, index[np.maximum(sub_download, 0)], -1)
    else:
        kinds = eligible["kind"].to_numpy().astype(np.int8)
        kernels.rolling_windows(group, eligible["ts_ms"].to_numpy(), kinds,
                                start, end, threshold, reason, download)
    return reason, download


def _outcomes(frame: pl.DataFrame, eligible: pl.DataFrame, windows: dict, first: int,
              last: int) -> pl.DataFrame:
    ids = eligible["request_id"]
    days = eligible["day_no"].to_numpy()
    columns = {}
    for mode, (reason, download) in windows.items():
        has = download >= 0
        at = np.maximum(download, 0)
        columns[f"{mode}_reason"] = pl.Series(reason, dtype=pl.Int16)
        columns[f"{mode}_download"] = ids.gather(at).zip_with(pl.Series(has), pl.Series([None] * at.size,
                                                                                        dtype=pl.String))
        if mode == "rolling":
            columns["rolling_download_day_no"] = pl.Series(np.where(has, days[at], -1), dtype=pl.Int32)
    decided = pl.DataFrame({"request_id": ids, "kind": eligible["kind"], "day_no": eligible["day_no"],
                            **columns})
    excluded = frame.filter(pl.col("reason") != reasons.COUNTED).select(
        "request_id", "kind", "day_no", fixed_reason="reason", fixed_download=pl.lit(None, pl.String),
        rolling_reason="reason", rolling_download=pl.lit(None, pl.String),
        rolling_download_day_no=pl.lit(-1, pl.Int32))
    both = pl.concat([decided, excluded]).filter(
        (pl.col("kind") == kernels.NORMAL) & pl.col("day_no").is_between(first, last))
    return both.select(
        "request_id", day=_date("day_no"), fixed_reason="fixed_reason", fixed_download="fixed_download",
        rolling_reason="rolling_reason", rolling_download="rolling_download",
        rolling_download_day=pl.when(pl.col("rolling_download_day_no") >= 0)
        .then(_date("rolling_download_day_no")))


def _date(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.Int32).cast(pl.Date)


def _ad_table(ad_slots: pl.DataFrame, episodes: pl.DataFrame) -> dict[str, np.ndarray]:
    """The ads of each countable episode as [first, end) byte ranges (R7), grouped for the kernel."""
    slots = ad_slots.join(episodes.select("episode_id", "episode", "bytes_total"), on="episode_id",
                          how="inner")
    rows = sorted((r["episode"], r["ad_id"], *rules.ad_portion(r["kind"], r["start_byte"], r["end_byte"],
                                                              r["bytes_total"]))
                  for r in slots.iter_rows(named=True))
    counts = np.bincount(np.array([r[0] for r in rows], np.int64), minlength=episodes.height + 1)
    offsets = np.concatenate(([0], np.cumsum(counts)[: episodes.height])).astype(np.int64)
    return {"offsets": offsets, "ad_id": np.array([r[1] for r in rows], dtype=object),
            "first": np.array([r[2] for r in rows], np.int64),
            "end": np.array([r[3] for r in rows], np.int64)}


def _downloads(eligible: pl.DataFrame, reason: np.ndarray, download: np.ndarray, ad_table: dict,
               episodes: pl.DataFrame, mode: str, first: int, last: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    n = eligible.height
    kind = eligible["kind"].to_numpy()
    qualifying = (download == np.arange(n)) & (kind == kernels.NORMAL)
    members = np.flatnonzero((download >= 0) & qualifying[np.maximum(download, 0)])
    order = members[np.lexsort((eligible["start"].to_numpy()[members], download[members]))]
    union_bytes = np.zeros(n, np.int64)
    requests = np.zeros(n, np.int64)
    ad_count = np.zeros(n, np.int64)
    found_q, found_ad = kernels.deliveries(
        order, download, eligible["start"].to_numpy(), eligible["end"].to_numpy(),
        eligible["episode"].to_numpy(), ad_table["offsets"], ad_table["first"], ad_table["end"],
        union_bytes, requests, ad_count)
    at = np.flatnonzero(qualifying)
    days = eligible["day_no"].to_numpy()
    episode_ids = episodes["episode_id"].to_numpy()
    found = pl.DataFrame({
        "mode": pl.Series([mode] * at.size, dtype=pl.String),
        "download_id": eligible["request_id"].gather(at),
        "day_no": days[at],
        "episode_id": pl.Series(episode_ids[eligible["episode"].to_numpy()[at]], dtype=pl.String),
        "ip_key": eligible["ip_key"].gather(at),
        "ua_id": eligible["ua_id"].gather(at),
        "qualified_ms": eligible["ts_ms"].gather(at),
        "requests": requests[at].astype(np.int32),
        "bytes": union_bytes[at],
        "ads_delivered": ad_count[at].astype(np.int32),
    }).filter(pl.col("day_no").is_between(first, last))
    delivered = pl.DataFrame({
        "mode": pl.Series([mode] * found_q.size, dtype=pl.String),
        "download_id": eligible["request_id"].gather(found_q),
        "ad_id": pl.Series(ad_table["ad_id"][found_ad] if found_ad.size else [], dtype=pl.String),
        "day_no": days[found_q] if found_q.size else np.empty(0, np.int32),
    }).filter(pl.col("day_no").is_between(first, last))
    return (found.with_columns(day=_date("day_no")).drop("day_no"),
            delivered.with_columns(day=_date("day_no")).drop("day_no"))
