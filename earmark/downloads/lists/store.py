"""List versions in the database: import a pair of lists as a new active version, read the active one.

The shipped defaults become version 1 the first time a list is needed (`earmark downloads lists show` or a
count), so a fresh install counts without an import. A version is never edited; counting records the version
each day was counted under, and the next run recounts days counted under another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import psycopg

from earmark.downloads.lists.parse import (
    BotList,
    BotPattern,
    CidrList,
    ListError,
    default_texts,
    parse_bots,
    parse_cidrs,
)
from earmark.sqlfiles import load

DEFAULT_SOURCE = "earmark default (earmark/downloads/lists/)"


@dataclass(frozen=True)
class ActiveLists:
    version: int
    bots: BotList
    cidrs: CidrList
    bots_source: str
    cidrs_source: str
    loaded_at: datetime

    def as_json(self) -> dict:
        return {"version": self.version, "bots_sha256": self.bots.sha256, "cidrs_sha256": self.cidrs.sha256,
                "bots_source": self.bots_source, "cidrs_source": self.cidrs_source,
                "loaded_at": self.loaded_at.isoformat(), "bot_patterns": len(self.bots.patterns),
                "datacenter_cidrs": len(self.cidrs.networks)}


def _q(name: str) -> str:
    return load("earmark.downloads", name)


def import_lists(conn: psycopg.Connection, bots_path: Path, cidrs_path: Path) -> ActiveLists:
    """Both files parsed in full before anything is written; a malformed line raises ListError naming it."""
    texts = []
    for path in (bots_path, cidrs_path):
        try:
            texts.append(Path(path).read_text("utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise ListError(f"{path} cannot be read as UTF-8 text ({exc.__class__.__name__}).") from None
    bots = parse_bots(texts[0], Path(bots_path).name)
    cidrs = parse_cidrs(texts[1], Path(cidrs_path).name)
    with conn.transaction():
        conn.execute(_q("list_lock"))
        _insert(conn, bots, cidrs, str(bots_path), str(cidrs_path))
    return active(conn)


def _insert(conn: psycopg.Connection, bots: BotList, cidrs: CidrList, bots_source: str,
            cidrs_source: str) -> int:
    conn.execute(_q("list_deactivate"))
    version = conn.execute(_q("list_insert_version"), {
        "bots_sha256": bots.sha256, "cidrs_sha256": cidrs.sha256, "bots_source": bots_source,
        "cidrs_source": cidrs_source}).fetchone()[0]
    with conn.cursor() as cur:
        cur.executemany(_q("insert_bot_pattern"),
                        [(version, p.line, p.match, p.pattern, p.note) for p in bots.patterns])
        cur.executemany(_q("insert_datacenter_cidr"),
                        [(version, line, network) for line, network in cidrs.networks])
    return version


def active(conn: psycopg.Connection) -> ActiveLists:
    """The active lists; the shipped defaults are loaded as the first version when none exists yet."""
    row = conn.execute(_q("list_active")).fetchone()
    if row is None:
        with conn.transaction():
            conn.execute(_q("list_lock"))
            if conn.execute(_q("list_active")).fetchone() is None:
                bots_text, cidrs_text = default_texts()
                _insert(conn, parse_bots(bots_text), parse_cidrs(cidrs_text), DEFAULT_SOURCE, DEFAULT_SOURCE)
        row = conn.execute(_q("list_active")).fetchone()
    version, bots_sha, cidrs_sha, bots_source, cidrs_source, loaded_at = row
    patterns = tuple(BotPattern(*r) for r in conn.execute(_q("list_bot_patterns"), {"version": version}))
    networks = tuple((line, net) for line, net in conn.execute(_q("list_cidrs"), {"version": version}))
    return ActiveLists(version, BotList(patterns, bots_sha), CidrList(networks, cidrs_sha), bots_source,
                       cidrs_source, loaded_at)
