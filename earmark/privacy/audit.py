"""The audit log: who did what, as a hash chain per tenant that shows any later change.

`append` writes one entry in the caller's transaction (so an action that rolls back leaves no entry and
an entry never exists without its action). The chain itself is built by app.audit_append in the database
(migration 0027): it takes the tenant's head row FOR UPDATE, so concurrent appends of one tenant queue
and `seq` has no gaps. `verify` recomputes every hash here, outside the database, from the stored
fields: an edited entry no longer matches its hash, a removed one leaves a gap or a broken link, an
inserted or reordered one breaks the link to its neighbour. A superuser can still rewrite the whole chain
consistently; the daily exported head (pipelines/defs/privacy) catches that, since the head it recorded
is then no longer in the chain.

Actors are pseudonymous (`user:<id>`, `key:<id>`, `client:<client_id>`, `cli:<os user>`, `system`) and
`changes` must not hold a secret: `append` refuses keys that name one.
"""

from __future__ import annotations

import getpass
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import psycopg

from earmark.sqlfiles import load

PLATFORM = UUID(int=0)  # the platform's own chain: platform keys, tenants created and their status
GENESIS = "0" * 64
# Keys of `changes` that would carry a secret; refused outright, so a slip in a caller fails in its tests.
SECRET_WORDS = ("password", "secret", "token", "code_hash", "key_hash", "totp", "recovery")


class AuditError(ValueError):
    """An entry that must not be written (it would carry a secret, or has no action)."""


def cli_actor() -> str:
    """The operator at a terminal: the OS account, which names no tenant user and holds no secret."""
    try:
        return f"cli:{getpass.getuser()}"
    except OSError:
        return "cli:unknown"


def _check(action: str, changes: dict) -> None:
    if not action:
        raise AuditError("an audit entry needs an action")
    for name in _keys(changes):
        if any(word in name.lower() for word in SECRET_WORDS):
            raise AuditError(f"audit changes must not hold secrets: drop {name!r}")


def _keys(value) -> list[str]:
    if isinstance(value, dict):
        return [str(k) for k in value] + [k for v in value.values() for k in _keys(v)]
    if isinstance(value, list):
        return [k for v in value for k in _keys(v)]
    return []


def _params(tenant_id, actor, action, target, request_id, changes) -> dict:
    changes = changes or {}
    _check(action, changes)
    return {"tenant_id": str(tenant_id), "actor": actor, "action": action, "target": str(target or ""),
            "request_id": request_id or "", "changes": json.dumps(changes, default=str)}


def append(conn: psycopg.Connection, tenant_id: UUID | str, actor: str, action: str, target: str = "",
           request_id: str = "", changes: dict | None = None) -> int:
    """Append one entry in the caller's transaction; returns its seq."""
    row = conn.execute(load("earmark.privacy", "audit_append"),
                       _params(tenant_id, actor, action, target, request_id, changes)).fetchone()
    return int(row[0])


async def append_async(conn: psycopg.AsyncConnection, tenant_id: UUID | str, actor: str, action: str,
                       target: str = "", request_id: str = "", changes: dict | None = None) -> int:
    cursor = await conn.execute(load("earmark.privacy", "audit_append"),
                                _params(tenant_id, actor, action, target, request_id, changes))
    return int((await cursor.fetchone())[0])


async def append_platform_async(conn: psycopg.AsyncConnection, proof: dict, actor: str, action: str,
                                target: str = "", request_id: str = "", changes: dict | None = None) -> int:
    """An entry of the platform chain from the API: `proof` is the platform key's id and hash, checked by
    the database (app.audit_append_platform); the API role cannot write that chain any other way."""
    params = _params(PLATFORM, actor, action, target, request_id, changes)
    cursor = await conn.execute(load("earmark.privacy", "audit_append_platform"), {**params, **proof})
    return int((await cursor.fetchone())[0])


def canonical(seq: int, tenant_id: str, occurred_at: datetime, actor: str, action: str, target: str,
              request_id: str, changes: str, prev_hash: str) -> bytes:
    """The bytes an entry's hash covers: each field as `<byte length>:<value>` (app.audit_canonical)."""
    at = occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    fields = [str(seq), str(tenant_id), at, actor, action, target, request_id, changes, prev_hash]
    out = bytearray()
    for field in fields:
        data = field.encode()
        out += str(len(data)).encode() + b":" + data
    return bytes(out)


def entry_hash(*fields) -> str:
    return hashlib.sha256(canonical(*fields)).hexdigest()


@dataclass(frozen=True)
class Verdict:
    ok: bool
    entries: int
    first_bad_seq: int | None = None
    reason: str | None = None

    def as_json(self) -> dict:
        if self.ok:
            return {"ok": True, "entries": self.entries}
        return {"ok": False, "entries": self.entries, "first_bad_seq": self.first_bad_seq,
                "reason": self.reason}


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str


def verify(conn: psycopg.Connection, tenant_id: UUID | str, head: Head | None = None) -> Verdict:
    """Check one tenant's chain (run as the owner, or in the tenant's transaction)."""
    rows = conn.execute(load("earmark.privacy", "audit_chain"), {"tenant_id": str(tenant_id)}).fetchall()
    return check_chain(str(tenant_id), rows, head)


def check_chain(tenant_id: str, rows: list[tuple], head: Head | None = None) -> Verdict:
    """The first entry that breaks the chain, from (seq, occurred_at, actor, action, target, request_id,
    changes text, prev_hash, hash) rows in seq order.

    Each entry must be the next seq, link to the stored hash of the one before, and hash to its own
    content. Where a link breaks, the neighbours tell what happened: an entry whose successor links past
    it to its predecessor was inserted; one that links to a later entry's hash was moved (reordered).
    """
    n = len(rows)
    hashes = [r[8] for r in rows]
    position = {h: i for i, h in enumerate(hashes)}
    prev = GENESIS
    for i, (seq, at, actor, action, target, request_id, changes, prev_hash, stored) in enumerate(rows):
        expected_seq = i + 1
        if seq != expected_seq:
            return Verdict(False, n, expected_seq, f"entry {expected_seq} is missing (removed)")
        if prev_hash != prev:
            linked = position.get(prev_hash)
            if linked is not None and linked > i:
                return Verdict(False, n, seq, f"entry {seq} is out of order (it links to entry {linked + 1})")
            if i + 1 < n and rows[i + 1][7] == prev:
                return Verdict(False, n, seq, _inserted(seq))
            if linked is not None and linked < i - 1:
                return Verdict(False, n, linked + 2, f"entry {linked + 2} was inserted (entry {seq} links to "
                                                     f"entry {linked + 1})")
            return Verdict(False, n, seq, f"entry {seq} does not link to entry {seq - 1}")
        if entry_hash(seq, tenant_id, at, actor, action, target, request_id, changes, prev_hash) != stored:
            if i + 1 < n and rows[i + 1][7] == prev:
                return Verdict(False, n, seq, _inserted(seq))
            return Verdict(False, n, seq, f"entry {seq} was changed (its content does not match its hash)")
        prev = stored
    if head is not None:
        if head.seq > n:
            return Verdict(False, n, n + 1, f"the chain ends at entry {n} but the exported head is entry "
                                            f"{head.seq} (entries removed from the end)")
        if head.seq >= 1 and hashes[head.seq - 1] != head.hash:
            return Verdict(False, n, head.seq, f"entry {head.seq} does not match the exported head "
                                               "(the chain was rewritten)")
    return Verdict(True, n)


def _inserted(seq: int) -> str:
    return f"entry {seq} was inserted (entry {seq + 1} links to entry {seq - 1})"


# ---- exported heads: a file outside the database, one per day -----------------------------------------

def export_heads(conn: psycopg.Connection, folder: Path, now: datetime | None = None) -> Path:
    """Write every chain's head with the time to `<folder>/audit-heads-<UTC date>.json` (atomic)."""
    now = now or datetime.now(UTC)
    heads = {tenant: {"seq": seq, "hash": digest}
             for tenant, seq, digest in conn.execute(load("earmark.privacy", "audit_heads")).fetchall()}
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"audit-heads-{now.date().isoformat()}.json"
    staged = target.with_suffix(".json.tmp")
    staged.write_text(json.dumps({"exported_at": now.isoformat(), "heads": heads}, indent=1, sort_keys=True))
    staged.replace(target)
    return target


def read_head(path: Path, tenant_id: UUID | str) -> Head | None:
    """The head of one tenant in an exported file; None when the file has no entry for it."""
    try:
        found = json.loads(path.read_text())["heads"].get(str(tenant_id))
    except (OSError, ValueError, KeyError, AttributeError) as exc:
        raise AuditError(f"{path} is not an exported audit head file ({exc.__class__.__name__}); "
                         "pass a file written by the audit_heads_export asset") from exc
    return Head(int(found["seq"]), str(found["hash"])) if found else None


def newest_export(folder: Path) -> Path | None:
    files = sorted(folder.glob("audit-heads-*.json"))
    return files[-1] if files else None
