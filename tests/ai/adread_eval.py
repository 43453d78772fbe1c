"""Runs an analyzer over the labelled evaluation set (tests/ai/eval/<part>/): each part's catalog CSVs as the
detector's context, its transcripts parsed by Earmark's parser, its labels.json as the truth."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from earmark.ai.adreads import Context, detect
from earmark.ai.adreads.brands import Brand, BrandCatalog
from earmark.ai.transcripts.parse import parse_transcript

EVAL = Path(__file__).parent / "eval"
PARTS = sorted(p.name for p in EVAL.iterdir() if (p / "labels.json").is_file())


def _rows(part: Path, name: str) -> list[dict]:
    path = part / name
    if not path.is_file():
        return []
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def _split(cell: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (cell or "").split("|") if v.strip())


def contexts(part_name: str) -> dict[str, Context]:
    """Per episode id, what the detector is told: the part's brands, and the episode's show and hosts."""
    part = EVAL / part_name
    catalog = BrandCatalog([Brand(r["name"], r.get("kind") or "advertiser", r["advertiser_id"], _split(
        r.get("aliases")), _split(r.get("domains"))) for r in _rows(part, "advertisers.csv")])
    shows = {r["show_id"]: r for r in _rows(part, "shows.csv")}
    found = {}
    for episode in _rows(part, "episodes.csv"):
        show = shows.get(episode["show_id"], {})
        found[episode["episode_id"]] = Context(catalog, show.get("title"), _split(show.get("hosts")))
    return found


def labelled(part_name: str) -> dict:
    return json.loads((EVAL / part_name / "labels.json").read_text())


def predict(part_name: str, analyzer: Callable | None = None) -> list[dict]:
    """Rows as `earmark ai ad-reads` writes them, for every transcript of the part."""
    part = EVAL / part_name
    by_episode = contexts(part_name)
    rows = []
    for entry in labelled(part_name)["transcripts"]:
        transcript = parse_transcript(part / "transcripts" / entry["file"])
        context = by_episode.get(entry["episode_id"], Context())
        if analyzer is not None:
            rows += analyzer(transcript.cues, entry["file"])
            continue
        for read in detect(transcript, context):
            rows.append({"source_file": entry["file"], "episode_id": entry["episode_id"], **asdict(read)})
    return rows
