"""Synthetic podcast traffic for the download counting benchmark (bench/downloads_bench.py): a catalog and
a request log of N requests over a week, built with numpy and polars from a seed.

    .venv/bin/python bench/downloads_traffic.py --write-log PATH --write-log-start 2027-01-04 [--requests N]

The traffic: listeners of 13 client families (AppleCoreMedia's `bytes=0-1` probe then 206 chunks, apps'
full GETs, `bytes=0-` then `bytes=a-` resumes hours later, browsers' seeks), some HEADs, 304, 404, 416 and
503 answers, bot user agents and data-centre addresses, IPv6 listeners with a new privacy address per
session in a stable /64, IPv4-mapped addresses, carrier NAT addresses shared by hundreds of listeners (ip
spikes), prefix-tracker URLs (podtrac, chartable, op3, pdst.fm, chained) with query strings, partial
downloads below the one-minute threshold, network retries of the same bytes, duplicated lines and a few
unreadable ones; written as merged edge logs are (5-minute files per edge, some delivered late).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import resource
import time
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
from downloads_catalog import DAY_MS, HOSTS, day_ms, make_catalog, slug
from downloads_clients import BOT, EVENT, FULL, IOS, OPEN, SEEK
from downloads_clients import families as client_families

TS_FORMAT = "%Y-%m-%dT%H:%M:%S%.3fZ"


# --- the request log ----------------------------------------------------------------------------

def _datacenter_nets() -> tuple[np.ndarray, np.ndarray, list[tuple[int, int]]]:
    from earmark.downloads.lists.parse import default_texts

    v4_base, v4_size, v6 = [], [], []
    for line in default_texts()[1].splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        net = ipaddress.ip_network(line)
        if net.version == 4:
            v4_base.append(int(net.network_address))
            v4_size.append(net.num_addresses)
        else:  # the /64 prefixes inside it: top 64 bits and how many
            v6.append((int(net.network_address) >> 64, 2 ** (64 - net.prefixlen)))
    return np.array(v4_base, np.int64), np.array(v4_size, np.int64), v6


RESIDENTIAL_V4 = (24, 47, 50, 64, 67, 68, 71, 73, 76, 77, 79, 80, 81, 82, 83, 84, 85, 86, 87, 89, 90, 91, 92,
                  93,
                  94, 95, 98, 99, 108, 109, 151, 174, 176, 178, 184, 186, 188, 189, 190, 200, 201)
RESIDENTIAL_V6 = (0x2600, 0x2601, 0x2603, 0x2607, 0x2a00, 0x2a02, 0x2a0a, 0x2405, 0x2804, 0x2003)


def _v4_text(value: np.ndarray) -> pl.Series:
    v = value.astype(np.int64)
    parts = [pl.Series((v >> s) & 255) for s in (24, 16, 8, 0)]
    return pl.DataFrame({f"o{i}": p for i, p in enumerate(parts)}).select(
        pl.format("{}.{}.{}.{}", "o0", "o1", "o2", "o3"))[:, 0]


def _v6_text(top: np.ndarray, low: np.ndarray) -> pl.Series:
    """Eight hex groups (a valid, not compressed, spelling) from two 64-bit halves."""
    hexes = pl.Series([f"{i:x}" for i in range(65536)])
    groups = [hexes.gather(((half >> np.uint64(s)) & np.uint64(0xFFFF)).astype(np.int64))
              for half in (top.astype(np.uint64), low.astype(np.uint64)) for s in (48, 32, 16, 0)]
    return pl.DataFrame({f"g{i}": g for i, g in enumerate(groups)}).select(
        pl.concat_str([f"g{i}" for i in range(8)], separator=":"))[:, 0]


def make_log(catalog: dict[str, pl.DataFrame], requests: int, start: date, days: int,
             seed: int) -> pl.DataFrame:
    """`requests` rows of the log (strings as the CSV holds them), in merged-edge-log order."""
    rng = np.random.default_rng(seed + 1)
    eps = catalog["episodes"]
    total = eps["bytes_total"].to_numpy().astype(np.int64)
    id3 = eps["id3_bytes"].to_numpy().astype(np.int64)
    duration = eps["duration_s"].fill_null(600.0).to_numpy()
    threshold = np.minimum(total, id3 + np.ceil((total - id3) * 60 / duration)).astype(np.int64)
    published = eps["published_at"].dt.epoch("ms").to_numpy()
    start_ms, end_ms = day_ms(start), day_ms(start) + days * DAY_MS
    show_rank = eps["show_id"].str.slice(5).cast(pl.Int64).to_numpy()
    age = np.maximum(0, (start_ms - published) / DAY_MS)
    weight = (1 / (1 + show_rank) ** 1.1) * np.where(published >= start_ms, 6.0, 1 / (1 + age / 10) ** 1.2)
    weight = weight / weight.sum()

    # URLs: each episode in 8 spellings (direct, http, trackers, chained) x 4 query strings; then unknown ones
    queries = ("", "?utm_source=apple&utm_medium=rss", "?aid=rss_feed&feed=abc123",
               "?from=app&listen_id=9#t=30")
    url_text, shows = [], eps["show_id"].to_list()
    for e, url in enumerate(eps["enclosure_url"].to_list()):
        bare = url.removeprefix("https://")
        chart = f"{(int(shows[e][5:]) * 40503 + 7919) % 36**5:05X}"
        for spelling in (url, "http://" + bare, "https://dts.podtrac.com/redirect.mp3/" + bare,
                         "https://www.podtrac.com/pts/redirect.mp3/" + bare, f"https://chrt.fm/track/{chart}/{bare}",
                         f"https://dts.podtrac.com/redirect.mp3/chrt.fm/track/{chart}/{bare}",
                         f"https://op3.dev/e,pg=7b6c0e3e,hist=1/{bare}", "https://pdst.fm/e/" + bare):
            url_text.extend(spelling + q for q in queries)
    unknown = [f"https://{HOSTS[i % len(HOSTS)]}/{slug(i % 250)}/2023/0{1 + i % 9}/removed-{i}.mp3"
               for i in range(2000)] + [f"https://{HOSTS[0]}/feed-{i}.xml" for i in range(50)]
    urls = pl.Series(url_text + unknown, dtype=pl.Enum(url_text + unknown))
    spelling_p = np.array([0.40, 0.05, 0.20, 0.05, 0.15, 0.08, 0.04, 0.03])

    families = client_families()
    ua_text = list(dict.fromkeys(ua for f in families for ua in f[4]))
    uas = pl.Series(ua_text, dtype=pl.Enum(ua_text))
    ua_index = {ua: i for i, ua in enumerate(ua_text)}
    referer_text = ["", "https://podcasts.apple.com/", "https://open.spotify.com/", "https://www.google.com/",
                    "https://pca.st/", "https://player.fm/series/", "https://www.earshot-cdn.net/player"]
    referers = pl.Series(referer_text, dtype=pl.Enum(referer_text))

    # listeners: family, user agent, kind of address
    sessions = int(requests / 2.6 * 1.1) + 50
    listeners = max(200, sessions // 3)
    share = np.array([f[1] for f in families])
    family = rng.choice(len(families), listeners, p=share / share.sum())
    ua = np.empty(listeners, np.int64)
    for f, (_, _, _, _, agents) in enumerate(families):
        at = np.flatnonzero(family == f)
        pick = np.minimum((rng.pareto(1.2, at.size) * len(agents) / 6).astype(np.int64), len(agents) - 1)
        ua[at] = np.array([ua_index[a] for a in agents])[pick]
    is_bot = family == len(families) - 1
    # v4, v6, IPv4-mapped, data centre, carrier NAT
    kind = rng.choice(5, listeners, p=[0.615, 0.31, 0.01, 0.04, 0.025])
    kind[is_bot] = rng.choice([3, 0, 1], int(is_bot.sum()), p=[0.7, 0.25, 0.05])
    activity = rng.lognormal(0, 1.0, listeners) * np.array([f[2] for f in families])[family]
    activity_cdf = np.cumsum(activity) / activity.sum()
    context = dict(listeners=listeners, activity_cdf=activity_cdf, family=family, families=families,
                   weight=weight, total=total, threshold=threshold, published=published, start_ms=start_ms,
                   end_ms=end_ms, spelling_p=spelling_p, n_queries=len(queries), n_known_urls=len(url_text),
                   n_unknown=len(unknown), days=days)

    # sessions exploded into requests, until there are enough
    n_dup = requests // 2000
    n_retry = requests * 25 // 1000
    base = requests - n_dup - n_retry
    parts, have, offset = [], 0, 0
    while have < base:
        part = _sessions(rng, sessions if not parts else max(1000, (base - have) // 2), offset, context)
        parts.append(part)
        have += part["ts_ms"].size
        offset += part["session_listener"].size
    per_session = {key: np.concatenate([p[key] for p in parts])
                   for key in ("session_listener", "session_url")}
    rows = {key: np.concatenate([p[key] for p in parts])[:base] for key in parts[0]
            if not key.startswith("session")}
    del parts
    # network retries: the same bytes asked again seconds later (the first try cut short half the time)
    eligible = np.flatnonzero(((rows["rk"] != 1) | (rows["b"] > 1)) & (rows["status"] != 404))
    again = np.sort(rng.choice(eligible, n_retry, replace=False)) if n_retry else np.empty(0, np.int64)
    cut = again[rng.random(again.size) < 0.5]
    rows["sent"][cut] = (rows["sent"][cut] * rng.random(cut.size)).astype(np.int64)
    take = np.concatenate([np.arange(base), again])
    ts = rows["ts_ms"][take]
    ts[base:] = np.minimum(ts[base:] + rng.integers(300, 10_000, again.size), end_ms - 1)
    # merged edge logs: 5-minute files per edge, concatenated; 0.5 % of files come an hour late; lines twice
    dup = rng.choice(take.size, n_dup, replace=False)
    take, ts = np.concatenate([take, take[dup]]), np.concatenate([ts, ts[dup]])
    request_no = np.concatenate([np.arange(base + again.size), dup])
    edge = rng.integers(0, 12, take.size)
    window = (ts - start_ms) // 300_000
    late = (((window * 12 + edge) * 2654435761) % 1000) < 5
    key = ((window + np.where(late, 12, 0)) * 16 + edge) * 300_000 + (ts - start_ms) % 300_000
    order = np.argsort(key, kind="stable")
    take, ts, request_no = take[order], ts[order], request_no[order]
    del key, order, edge, window, late

    session = rows["sno"][take]
    listener = per_session["session_listener"][session]
    ips = _addresses(rng, per_session["session_listener"], kind)
    alphabet = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", np.uint8)
    ids = alphabet[rng.integers(0, 32, (base + again.size, 20), dtype=np.uint8)].view("S20").ravel()
    n = take.size
    log = pl.DataFrame({
        "request_id": pl.Series(ids[request_no]).cast(pl.String),
        "ts": pl.from_epoch(pl.Series(ts), "ms").dt.to_string(TS_FORMAT),
        "method": pl.Series(["GET", "HEAD"], dtype=pl.Enum(["GET", "HEAD"])).gather(
            rows["head"][take].astype(np.int64)),
        "ip": ips.gather(session),
        "user_agent": uas.gather(ua[listener]),
        "referer": referers.gather(np.where(family[listener] == 8, rng.integers(0, len(referer_text), n), 0)),
        "url": urls.gather(per_session["session_url"][session]),
        "rk": rows["rk"][take], "a": rows["a"][take], "b": rows["b"][take],
        "status": rows["status"][take], "bytes_sent": rows["sent"][take]})
    log = log.select(
        "request_id", "ts", "method", "ip", "user_agent", "referer", "url",
        range=pl.when(pl.col("rk") == 1).then(pl.format("bytes={}-{}", "a", "b"))
        .when(pl.col("rk") == 2).then(pl.format("bytes={}-", "a"))
        .when(pl.col("rk") == 3).then(pl.format("bytes=-{}", "b")).otherwise(pl.lit("")),
        status="status", bytes_sent="bytes_sent")
    # a few unreadable lines, as real logs have
    bad = rng.choice(n, max(3, n // 100_000), replace=False)
    third = bad.size // 3
    return log.with_columns(
        ts=log["ts"].scatter(bad[:third], "-"),
        request_id=log["request_id"].scatter(bad[third:2 * third], ""),
        range=log["range"].scatter(bad[2 * third:], "bytes=500-100"))


def _addresses(rng, session_listener: np.ndarray, kind: np.ndarray) -> pl.Series:
    """Each session's address: the listener's IPv4 (another one on 10 % of sessions: roaming), a new IPv6
    privacy address in the listener's /64, an IPv4-mapped one, a data-centre one or a carrier NAT's."""
    listeners = kind.size
    v4 = (rng.choice(RESIDENTIAL_V4, listeners).astype(np.int64) << 24) | rng.integers(0, 1 << 24, listeners)
    top6 = (rng.choice(RESIDENTIAL_V6, listeners).astype(np.uint64) << np.uint64(48)) | \
        rng.integers(0, 1 << 48, listeners, dtype=np.uint64)
    dc4_base, dc4_size, dc6 = _datacenter_nets()
    dc_v6 = rng.random(listeners) < 0.25
    net = rng.integers(0, dc4_base.size, listeners)
    dc4 = dc4_base[net] + (rng.random(listeners) * dc4_size[net]).astype(np.int64)
    net6 = rng.integers(0, len(dc6), listeners)
    dc6_top = np.array([t for t, _ in dc6], np.uint64)[net6] + \
        (rng.random(listeners) * np.array([c for _, c in dc6], np.float64)[net6]).astype(np.uint64)
    nat_pool = (100 << 24 | 64 << 16) + rng.integers(0, 1 << 14, max(3, listeners // 30_000))
    nat = rng.choice(nat_pool, listeners)
    s = session_listener.size
    k = kind[session_listener]
    text = pl.Series([""], dtype=pl.String).gather(np.zeros(s, np.int64))
    roaming = rng.random(s) < 0.1
    fresh = (rng.choice(RESIDENTIAL_V4, s).astype(np.int64) << 24) | rng.integers(0, 1 << 24, s)
    of = session_listener

    def privacy(at: np.ndarray) -> np.ndarray:  # a random interface id, the universal/local bit set
        return rng.integers(0, 2**63, at.size, dtype=np.uint64) | np.uint64(1 << 57)

    for which, make in (
            ((k == 0) | (k == 2), lambda at: _v4_text(np.where(roaming[at], fresh[at], v4[of[at]]))),
            (k == 1, lambda at: _v6_text(top6[of[at]], privacy(at))),
            ((k == 3) & dc_v6[of], lambda at: _v6_text(dc6_top[of[at]],
                                                       rng.integers(1, 2**16, at.size, dtype=np.uint64))),
            ((k == 3) & ~dc_v6[of], lambda at: _v4_text(dc4[of[at]])),
            (k == 4, lambda at: _v4_text(nat[of[at]]))):
        at = np.flatnonzero(which)
        if at.size:
            text = text.scatter(at, make(at))
    mapped = np.flatnonzero(k == 2)
    return text.scatter(mapped, "::ffff:" + text.gather(mapped)) if mapped.size else text


def _sessions(rng, s: int, offset: int, c: dict) -> dict[str, np.ndarray]:
    """s sessions exploded into their requests (numbers only; the strings are gathered later)."""
    families, days, start_ms, end_ms = c["families"], c["days"], c["start_ms"], c["end_ms"]
    listener = np.minimum(np.searchsorted(c["activity_cdf"], rng.random(s)), c["listeners"] - 1)
    fam = c["family"][listener]
    episode = rng.choice(c["weight"].size, s, p=c["weight"])
    cum = np.cumsum(np.array([f[3] for f in families]), axis=1)
    pattern = np.minimum((rng.random(s)[:, None] > cum[fam]).sum(axis=1), EVENT)
    pattern[fam == len(families) - 1] = BOT
    unknown = ((pattern == FULL) & (rng.random(s) < 0.01)) | ((pattern == EVENT) & (rng.random(s) < 0.25))
    size = np.where(unknown, 20_000_000, c["total"][episode])
    thr = np.where(unknown, 2_000_000, c["threshold"][episode])
    # when: a week of diurnal traffic (US and Europe), new episodes in a burst after publication
    hour_w = np.array([3, 2.5, 2, 1.6, 1.3, 1.2, 1.5, 2.2, 3, 3.4, 3.6, 3.8, 4.6, 5.2, 5.4, 5.2, 4.8, 4.4,
                       4.2, 4.0, 3.8, 3.6, 3.4, 3.2])
    day_w = np.array([1.0, 1.0, 1.0, 1.0, 0.95, 0.8, 0.8] * (days // 7 + 1))[:days]
    t0 = (start_ms + rng.choice(days, s, p=day_w / day_w.sum()) * DAY_MS
          + rng.choice(24, s, p=hour_w / hour_w.sum()) * 3_600_000 + rng.integers(0, 3_600_000, s))
    pub = c["published"][episode]
    fresh = (pub >= start_ms) & (pub < end_ms) & (rng.random(s) < 0.7)
    t0 = np.where(fresh, pub + (rng.exponential(1.2, s) * DAY_MS).astype(np.int64), t0)
    t0 = np.where(t0 >= end_ms, start_ms + rng.integers(0, days * DAY_MS, s), t0)
    # how much is fetched: all, part of it, or less than a minute's worth
    what = rng.random(s)
    above = thr + (rng.random(s) * (size - thr)).astype(np.int64)
    below = (rng.uniform(0.05, 0.95, s) * thr).astype(np.int64)
    wanted = np.where(what < 0.62, size, np.where(what < 0.88, above, below))
    wanted = np.maximum(wanted, 2)
    chunk = np.maximum(1 << 20, -(-size // rng.integers(2, 9, s)))
    streaming = rng.random(s) < 0.5
    gap = np.where(streaming, chunk / (size / 2400) * rng.uniform(500, 1000, s), rng.uniform(300, 3000, s))
    resume = rng.random(s) < 0.4
    first_part = np.where(resume, (wanted * rng.uniform(0.05, 0.9, s)).astype(np.int64), wanted)
    n = np.select([pattern == FULL, pattern == IOS, pattern == OPEN, pattern == SEEK],
                  [1 + (rng.random(s) < 0.03), 1 + -(-wanted // chunk), 1 + resume,
                   1 + rng.integers(1, 5, s)], 1)

    sess = np.repeat(np.arange(s), n)
    k = np.arange(sess.size) - np.repeat(np.cumsum(n) - n, n)
    r = sess.size
    rk = np.zeros(r, np.int8)
    a = np.zeros(r, np.int64)
    b = np.zeros(r, np.int64)
    status = np.full(r, 200, np.int16)
    sent = np.zeros(r, np.int64)
    dt = np.zeros(r, np.int64)
    head = np.zeros(r, bool)
    pat = pattern[sess]
    first = k == 0

    def rows_of(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        at = np.flatnonzero(mask)
        return at, sess[at]

    at, ss = rows_of((pat == FULL) & first)
    sent[at] = wanted[ss]
    at, ss = rows_of((pat == FULL) & ~first)  # an ID3v1 look at the end of the file
    rk[at], b[at], status[at], sent[at], dt[at] = 3, 128, 206, 128, 150
    at, ss = rows_of((pat == IOS) & first)  # AppleCoreMedia's probe
    rk[at], b[at], status[at], sent[at] = 1, 1, 206, 2
    at, ss = rows_of((pat == IOS) & ~first)  # then chunks, streamed or downloaded
    lo = (k[at] - 1) * chunk[ss]
    hi = np.minimum(k[at] * chunk[ss], size[ss]) - 1
    rk[at], a[at], b[at], status[at] = 1, lo, hi, 206
    sent[at] = np.clip(wanted[ss] - lo, 0, hi - lo + 1)
    dt[at] = 200 + ((k[at] - 1) * gap[ss]).astype(np.int64)
    at, ss = rows_of((pat == OPEN) & first)
    rk[at], status[at], sent[at] = 2, np.where(rng.random(at.size) < 0.1, 200, 206), first_part[ss]
    at, ss = rows_of((pat == OPEN) & ~first)  # the resume, minutes to a day or more later
    rk[at], a[at], status[at], sent[at] = 2, first_part[ss], 206, wanted[ss] - first_part[ss]
    dt[at] = np.minimum(rng.lognormal(np.log(90 * 60_000), 1.6, at.size), 3 * DAY_MS).astype(np.int64)
    at, ss = rows_of((pat == SEEK) & first)
    rk[at], status[at], sent[at] = 2, 206, np.minimum(size[ss], rng.integers(65_536, 2 << 20, at.size))
    at, ss = rows_of((pat == SEEK) & ~first)  # a browser's seeks
    a[at] = (rng.random(at.size) * size[ss]).astype(np.int64)
    rk[at], status[at] = 2, 206
    sent[at] = np.minimum(size[ss] - a[at], rng.integers(256 << 10, 8 << 20, at.size))
    dt[at] = k[at] * rng.integers(5_000, 600_000, at.size)
    at, ss = rows_of(pat == EVENT)  # HEAD, 304, 404 (the unknown URLs), 416, 503
    ev = rng.choice(5, at.size, p=[0.40, 0.25, 0.25, 0.03, 0.07])
    ev = np.where(unknown[ss], 2, np.where(ev == 2, 1, ev))
    head[at] = ev == 0
    status[at] = np.array([200, 304, 404, 416, 503])[ev]
    rk[at] = np.where(ev == 3, 2, 0)
    a[at] = np.where(ev == 3, size[ss], 0)
    at, ss = rows_of(pat == BOT)  # full GETs, HEADs and probes
    bt = rng.choice(3, at.size, p=[0.6, 0.25, 0.15])
    head[at] = bt == 1
    rk[at], b[at] = np.where(bt == 2, 1, 0), np.where(bt == 2, 1, 0)
    status[at] = np.where(bt == 2, 206, 200)
    sent[at] = np.where(bt == 0, size[ss], np.where(bt == 2, 2, 0))

    spelling_p, n_queries = c["spelling_p"], c["n_queries"]
    spelling = rng.choice(spelling_p.size, s, p=spelling_p)
    query = np.where(rng.random(s) < 0.3, rng.integers(1, n_queries, s), 0)
    url_no = np.where(unknown, c["n_known_urls"] + rng.integers(0, c["n_unknown"], s),
                      (episode * spelling_p.size + spelling) * n_queries + query)
    ts = t0[sess] + dt
    keep = ts < end_ms
    return {"session_listener": listener, "session_url": url_no, "sno": (sess + offset)[keep],
            "ts_ms": ts[keep], "head": head[keep], "rk": rk[keep], "a": a[keep], "b": b[keep],
            "status": status[keep], "sent": sent[keep]}


def write_log(args: argparse.Namespace) -> None:
    """The child process: build the log and write it; prints one JSON line of what it made."""
    started = time.perf_counter()
    start = date.fromisoformat(args.write_log_start)
    catalog = make_catalog(args.seed, args.episodes, start)
    log = make_log(catalog, args.requests, start, args.days, args.seed)
    built = time.perf_counter()
    path = Path(args.write_log)
    log.write_csv(path)
    done = time.perf_counter()
    print(json.dumps({"rows": log.height, "build_s": round(built - started, 2),
                      "write_s": round(done - built, 2),
                      "file_mb": round(path.stat().st_size / 1e6, 1),
                      "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-log", required=True)
    parser.add_argument("--write-log-start", required=True)
    parser.add_argument("--requests", type=int, default=10_000_000)
    parser.add_argument("--episodes", type=int, default=5_000)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--seed", type=int, default=13)
    write_log(parser.parse_args())


if __name__ == "__main__":
    main()
