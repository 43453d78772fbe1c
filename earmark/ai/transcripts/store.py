"""Loading transcripts into a tenant's tables: every file is loaded, a duplicate of what is there, or
refused whole with its line and reason; nothing of a refused file is written.

An episode is the catalog episode the caller names, or else the file's stem ("ep-042.vtt" is episode
ep-042). A new version of an episode's transcript replaces the old one in one transaction, and that
transaction also deletes what was read in the old one (its ad reads and episode analysis; its cue
sentiments go with its cues) so that nothing serves reads of a transcript that is gone until the analysis
runs again. The content hash is over the cues as parsed, so the same words re-exported in another format
are a duplicate.

One file's fault never stops the others: anything the parser or the database refuses in a file is that
file's rejection. A file of the landing folder that is gone by the time it is read was taken by another
run (the sensor queues a run per file; `earmark run` loads every waiting file): it is `vanished`, not
rejected. Symbolic links in the landing folder are not followed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from uuid import UUID

import psycopg

from earmark import db
from earmark.ai.transcripts.cues import Cue, Transcript
from earmark.ai.transcripts.errors import TranscriptFileMissing, TranscriptParseError
from earmark.ai.transcripts.parse import parse_transcript
from earmark.ai.transcripts.storable import code_point, shown, unstorable_at
from earmark.errors import EarmarkError
from earmark.sqlfiles import load

SQL = "earmark.ai"
MAX_EPISODE_ID = 200
STORED = ("loaded", "replaced", "duplicate")  # the outcomes of a file that is in the tables now
OUTCOMES = (*STORED, "vanished", "rejected")
_DETAIL_CHARS = 200
_log = logging.getLogger(__name__)


@dataclass
class FileOutcome:
    file: str
    episode_id: str | None
    outcome: str  # loaded | replaced | duplicate | vanished | rejected
    cues: int = 0
    reason: str | None = None


@dataclass
class LoadResult:
    files: list[FileOutcome] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for f in self.files if f.outcome == outcome)

    def as_json(self) -> dict:
        return {"files": len(self.files), **{k: self.count(k) for k in OUTCOMES},
                "outcomes": [asdict(f) for f in self.files]}


def content_hash(transcript: Transcript) -> str:
    cues = [[c.start_s, c.end_s, c.speaker, c.text] for c in transcript.cues]
    return hashlib.sha256(json.dumps(cues, ensure_ascii=False).encode()).hexdigest()


def episode_of(path: Path, episode_id: str | None) -> str:
    episode = episode_id if episode_id is not None else path.stem
    if not episode.strip() or len(episode) > MAX_EPISODE_ID or unstorable_at(episode) is not None:
        raise EarmarkError(f"{shown(path.name)}: '{shown(episode[:40])}' cannot be an episode id (1 to "
                           f"{MAX_EPISODE_ID} characters of text); pass --episode with the catalog "
                           "episode's id.")
    return episode


def in_folder(path: Path, folder: Path) -> bool:
    """Is `path` an entry of `folder` (the path itself, not what a symbolic link points at)?"""
    parent = Path(os.path.abspath(path)).parent
    return parent == Path(os.path.abspath(folder)) or parent.resolve() == folder.resolve()


def load_files(tenant_id: UUID | str, paths: list[Path], episode_id: str | None = None, *,
               landing: Path | None = None) -> LoadResult:
    """Load each file for the tenant. `episode_id` (one file only) must be an episode of its catalog.
    Files in `landing` (the tenant's landing folder) may be taken by another run meanwhile, and are never
    read through a symbolic link."""
    if episode_id is not None and len(paths) != 1:
        raise EarmarkError("--episode names the episode of one file; give one file, or leave --episode out "
                           "to use each file's name as its episode.")
    result = LoadResult()
    with db.connect("transformer") as conn:
        if episode_id is not None:
            _require_catalog_episode(conn, tenant_id, episode_id)
        for path in paths:
            landed = landing is not None and in_folder(path, landing)
            result.files.append(_load_one(conn, tenant_id, path, episode_id, landed))
    return result


def _require_catalog_episode(conn: psycopg.Connection, tenant_id: UUID | str, episode_id: str) -> None:
    with db.tenant_transaction(conn, tenant_id):
        found = conn.execute(load(SQL, "catalog_episode_exists"), {"tenant_id": str(tenant_id),
                                                                    "episode_id": episode_id}).fetchone()
    if found is None:
        raise EarmarkError(f"Episode '{episode_id}' is not in this tenant's catalog; import it with "
                           "`earmark catalog import --kind episodes`, or leave --episode out.")


def _load_one(conn: psycopg.Connection, tenant_id: UUID | str, path: Path, episode_id: str | None,
              landed: bool) -> FileOutcome:
    name = shown(path.name)
    try:
        episode = episode_of(path, episode_id)
        transcript = parse_transcript(path, follow_symlinks=not landed)
    except TranscriptFileMissing as exc:
        if landed:
            return FileOutcome(name, episode_id, "vanished",
                               reason=f"{name}: the file left the landing folder before this run read it "
                                      "(another run loaded it).")
        return FileOutcome(name, episode_id, "rejected", reason=str(exc))
    except (TranscriptParseError, EarmarkError) as exc:
        return FileOutcome(name, episode_id, "rejected", reason=str(exc))
    except Exception as exc:  # a parser fault this file found: logged in full, and the next file goes on
        _log.exception("%s: the transcript parser failed", name)
        return FileOutcome(name, episode_id, "rejected", reason=f"{name}: the file could not be parsed "
                           f"({type(exc).__name__}, a fault of Earmark's parser); report it with the file.")
    try:
        return _store(conn, tenant_id, path, episode, transcript)
    except (psycopg.DataError, psycopg.IntegrityError, UnicodeEncodeError) as exc:
        # What the parser let through and the database refused: this file's fault, not the batch's.
        _log.warning("%s: the database refused the transcript", name, exc_info=True)
        return FileOutcome(name, episode, "rejected", reason=f"{name}: the database cannot store this file's "
                           f"text or times ({_detail(exc)}); check the file for control characters, or "
                           "export it again.")


def _store(conn: psycopg.Connection, tenant_id: UUID | str, path: Path, episode: str, transcript: Transcript
           ) -> FileOutcome:
    name = shown(path.name)
    digest = content_hash(transcript)
    params = {"tenant_id": str(tenant_id), "episode_id": episode}
    with db.tenant_transaction(conn, tenant_id):
        current = conn.execute(load(SQL, "transcript_current"), params).fetchone()
        if current is not None and current[0] == digest:
            return FileOutcome(name, episode, "duplicate", len(transcript.cues))
        if current is not None:
            # The old version's reads go with it; the analysis of the new one writes its own.
            conn.execute(load(SQL, "transcript_ad_reads_delete"), params)
            conn.execute(load(SQL, "transcript_analysis_delete"), params)
        conn.execute(load(SQL, "transcript_upsert"), {
            **params, "source_file": name, "format": transcript.format, "content_hash": digest,
            "cue_count": len(transcript.cues), "duration_s": transcript.duration_s,
            "words": transcript.words})
        conn.execute(load(SQL, "transcript_cues_delete"), params)  # their cue sentiments cascade
        conn.cursor().executemany(load(SQL, "transcript_cues_insert"), [
            (str(tenant_id), episode, seq, cue.start_s, cue.end_s, cue.speaker, cue.text)
            for seq, cue in enumerate(transcript.cues)])
    return FileOutcome(name, episode, "loaded" if current is None else "replaced", len(transcript.cues))


def _detail(exc: Exception) -> str:
    """The database's (or the driver's) own words, without the statement: one clause, shortened."""
    if isinstance(exc, UnicodeEncodeError):
        text = f"{code_point(exc.object[exc.start])} cannot be written as UTF-8"
    else:
        diag = getattr(exc, "diag", None)
        primary = diag.message_primary if diag is not None else None
        text = primary or str(exc).partition("\n")[0] or type(exc).__name__
    text = shown(text).rstrip(".").replace(";", ",")
    return text if len(text) <= _DETAIL_CHARS else text[:_DETAIL_CHARS] + "…"


def read_transcript(conn: psycopg.Connection, tenant_id: UUID | str, episode_id: str, source_file: str,
                    fmt: str) -> Transcript:
    """An episode's stored cues as a Transcript (inside the caller's tenant transaction)."""
    rows = conn.execute(load(SQL, "transcript_cues_of"), {"tenant_id": str(tenant_id),
                                                           "episode_id": episode_id}).fetchall()
    return Transcript(tuple(Cue(r[1], r[2], r[4], r[3]) for r in rows), fmt, source_file)
