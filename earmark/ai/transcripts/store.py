"""Loading transcripts into a tenant's tables: every file is loaded, a duplicate of what is there, or
refused whole with its line and reason; nothing of a refused file is written.

An episode is the catalog episode the caller names, or else the file's stem ("ep-042.vtt" is episode
ep-042). A new version of an episode's transcript replaces the old one in one transaction. The content
hash is over the cues as parsed, so the same words re-exported in another format are a duplicate.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from uuid import UUID

import psycopg

from earmark import db
from earmark.ai.transcripts.cues import Cue, Transcript
from earmark.ai.transcripts.errors import TranscriptParseError
from earmark.ai.transcripts.parse import parse_transcript
from earmark.errors import EarmarkError
from earmark.sqlfiles import load

SQL = "earmark.ai"
MAX_EPISODE_ID = 200


@dataclass
class FileOutcome:
    file: str
    episode_id: str | None
    outcome: str  # loaded | replaced | duplicate | rejected
    cues: int = 0
    reason: str | None = None


@dataclass
class LoadResult:
    files: list[FileOutcome] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for f in self.files if f.outcome == outcome)

    def as_json(self) -> dict:
        return {"files": len(self.files), **{k: self.count(k) for k in ("loaded", "replaced", "duplicate",
                                                                        "rejected")},
                "outcomes": [asdict(f) for f in self.files]}


def content_hash(transcript: Transcript) -> str:
    cues = [[c.start_s, c.end_s, c.speaker, c.text] for c in transcript.cues]
    return hashlib.sha256(json.dumps(cues, ensure_ascii=False).encode()).hexdigest()


def episode_of(path: Path, episode_id: str | None) -> str:
    episode = episode_id if episode_id is not None else path.stem
    if not episode.strip() or len(episode) > MAX_EPISODE_ID or "\x00" in episode:
        raise EarmarkError(f"{path.name}: '{episode[:40]}' cannot be an episode id (1 to {MAX_EPISODE_ID} "
                           "characters); pass --episode with the catalog episode's id.")
    return episode


def load_files(tenant_id: UUID | str, paths: list[Path], episode_id: str | None = None) -> LoadResult:
    """Load each file for the tenant. `episode_id` (one file only) must be an episode of its catalog."""
    if episode_id is not None and len(paths) != 1:
        raise EarmarkError("--episode names the episode of one file; give one file, or leave --episode out "
                           "to use each file's name as its episode.")
    result = LoadResult()
    with db.connect("transformer") as conn:
        if episode_id is not None:
            _require_catalog_episode(conn, tenant_id, episode_id)
        for path in paths:
            result.files.append(_load_one(conn, tenant_id, path, episode_id))
    return result


def _require_catalog_episode(conn: psycopg.Connection, tenant_id: UUID | str, episode_id: str) -> None:
    with db.tenant_transaction(conn, tenant_id):
        found = conn.execute(load(SQL, "catalog_episode_exists"), {"tenant_id": str(tenant_id),
                                                                    "episode_id": episode_id}).fetchone()
    if found is None:
        raise EarmarkError(f"Episode '{episode_id}' is not in this tenant's catalog; import it with "
                           "`earmark catalog import --kind episodes`, or leave --episode out.")


def _load_one(conn: psycopg.Connection, tenant_id: UUID | str, path: Path, episode_id: str | None
              ) -> FileOutcome:
    try:
        episode = episode_of(path, episode_id)
        transcript = parse_transcript(path)
    except (TranscriptParseError, EarmarkError) as exc:
        return FileOutcome(path.name, None if episode_id is None else episode_id, "rejected", reason=str(exc))
    digest = content_hash(transcript)
    params = {"tenant_id": str(tenant_id), "episode_id": episode}
    with db.tenant_transaction(conn, tenant_id):
        current = conn.execute(load(SQL, "transcript_current"), params).fetchone()
        if current is not None and current[0] == digest:
            return FileOutcome(path.name, episode, "duplicate", len(transcript.cues))
        conn.execute(load(SQL, "transcript_upsert"), {
            **params, "source_file": path.name, "format": transcript.format, "content_hash": digest,
            "cue_count": len(transcript.cues), "duration_s": transcript.duration_s,
            "words": transcript.words})
        conn.execute(load(SQL, "transcript_cues_delete"), params)
        conn.cursor().executemany(load(SQL, "transcript_cues_insert"), [
            (str(tenant_id), episode, seq, cue.start_s, cue.end_s, cue.speaker, cue.text)
            for seq, cue in enumerate(transcript.cues)])
    return FileOutcome(path.name, episode, "loaded" if current is None else "replaced", len(transcript.cues))


def read_transcript(conn: psycopg.Connection, tenant_id: UUID | str, episode_id: str, source_file: str,
                    fmt: str) -> Transcript:
    """An episode's stored cues as a Transcript (inside the caller's tenant transaction)."""
    rows = conn.execute(load(SQL, "transcript_cues_of"), {"tenant_id": str(tenant_id),
                                                           "episode_id": episode_id}).fetchall()
    return Transcript(tuple(Cue(r[1], r[2], r[4], r[3]) for r in rows), fmt, source_file)
