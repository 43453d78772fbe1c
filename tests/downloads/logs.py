"""Small request logs, episodes and ad slots for the counting tests, and the results read back by name.

Everything goes through earmark.downloads.offline.count_rows: the reader's checks, the preparation (ids,
keyed addresses, data-centre membership) and the counting rules, with no database.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from earmark.downloads import reasons
from earmark.downloads.counting import Counted
from earmark.downloads.offline import count_rows
from earmark.downloads.reader import Batch

URL = "https://cdn.example.com/shows/Ep1.mp3"
IP = "198.51.100.7"
UA = "AppleCoreMedia/1.0.0.20G75 (iPhone; U; CPU OS 16_6 like Mac OS X; en_us)"
TOTAL = 1_000_000
MODES = ("fixed", "rolling")
# A bot list and a CIDR list of the tests' own, so that no test depends on what the shipped lists hold.
BOTS = "empty\t\tno user agent\ncontains\tbot\tgeneric\nexact\tPodcastChecker/1.0\ta feed monitor\n"
CIDRS = "# documentation ranges standing in for a cloud\n203.0.113.0/24\n2001:db8:dc::/48\n"


def ts(day: str, clock: str) -> str:
    """'2026-11-02', '22:00' or '22:00:00.000' -> the log's UTC form 2026-11-02T22:00:00.000Z."""
    if len(clock) == 5:
        clock += ":00.000"
    return f"{day}T{clock}Z"


def episode(episode_id: str = "e1", *, url: str = URL, total: int = TOTAL, duration: float = 600,
            id3: int | None = 0, show: str = "s1") -> dict:
    """Default: 1,000,000 bytes, 600 s, no ID3 tag, so T = ceil(1,000,000 * 60 / 600) = 100,000 bytes."""
    return {"episode_id": episode_id, "show_id": show, "published_at": "2026-10-01T00:00:00Z",
            "enclosure_url": url, "bytes_total": total, "duration_s": duration, "id3_bytes": id3}


def row(request_id: str, when: str, *, method: str = "GET", ip: str = IP, ua: str = UA, url: str = URL,
        range: str = "", status: int | str = 200, sent: int | str = TOTAL, referer: str = "") -> dict:
    """One log row as the CSV holds it (all strings); by default a full-file GET of the default episode."""
    return {"request_id": request_id, "ts": when, "method": method, "ip": ip, "user_agent": ua,
            "referer": referer, "url": url, "range": range, "status": str(status), "bytes_sent": str(sent)}


def ad(ad_id: str, kind: str, start: int, end: int, episode_id: str = "e1") -> dict:
    return {"ad_id": ad_id, "episode_id": episode_id, "kind": kind, "start_byte": start, "end_byte": end}


@dataclass
class Result:
    counted: Counted
    batch: Batch

    def reasons(self, mode: str) -> dict[str, str]:
        """request_id -> 'counted' or the reason's name."""
        column = self.counted.outcomes[f"{mode}_reason"].to_list()
        return {rid: reasons.NAMES.get(code, "counted")
                for rid, code in zip(self.counted.outcomes["request_id"].to_list(), column, strict=True)}

    def of(self, mode: str) -> dict[str, tuple[str, str | None]]:
        """request_id -> (reason name, download id or None)."""
        names = self.reasons(mode)
        ids = self.counted.outcomes[f"{mode}_download"].to_list()
        return {rid: (names[rid], download)
                for rid, download in zip(self.counted.outcomes["request_id"].to_list(), ids, strict=True)}

    def downloads(self, mode: str) -> dict[str, dict]:
        """download_id -> its row (episode_id, day as ISO text, requests, bytes, ads_delivered, ...)."""
        frame = self.counted.downloads.filter(pl.col("mode") == mode).sort("download_id")
        return {r["download_id"]: {**r, "day": r["day"].isoformat()} for r in frame.iter_rows(named=True)}

    def ads(self, mode: str) -> set[tuple[str, str]]:
        """The delivered (download_id, ad_id) pairs."""
        frame = self.counted.ads.filter(pl.col("mode") == mode)
        pairs = list(zip(frame["download_id"].to_list(), frame["ad_id"].to_list(), strict=True))
        assert len(pairs) == len(set(pairs)), "an ad counted twice in one download"
        return set(pairs)

    def listeners(self, mode: str) -> int:
        """R7: distinct (IP key, user agent) with at least one download."""
        frame = self.counted.downloads.filter(pl.col("mode") == mode)
        return frame.select("ip_key", "ua_id").unique().height

    def rejected(self) -> dict[int, str]:
        """row_number -> the reader's reason."""
        return dict(zip(self.batch.rejected["row_number"].to_list(), self.batch.rejected["reason"].to_list(),
                        strict=True))


def count(rows: list[dict], episodes: list[dict] | None = None, ads: list[dict] | None = None, *,
          bots: str | None = BOTS, cidrs: str | None = CIDRS, spike_threshold: int = 50) -> Result:
    counted, batch = count_rows(rows, [episode()] if episodes is None else episodes, ads, bots=bots,
                                cidrs=cidrs, spike_threshold=spike_threshold)
    return Result(counted, batch)


def canonical(counted: Counted) -> tuple[list, list, list]:
    """Everything counting decided, in an order that does not depend on the log's: for comparing runs."""
    return (counted.outcomes.sort("request_id").rows(),
            counted.downloads.sort("mode", "download_id").rows(),
            counted.ads.sort("mode", "download_id", "ad_id").rows())
