"""Carrying out data-subject requests, in phases that survive a restart.

  received   -> deleted     erasure: the subject's raw rows deleted (and registered free text tombstoned);
                            rectification: the raw rows re-keyed to the corrected id; the conversion dates
                            they touched recorded. One transaction with the phase change: all or nothing.
  deleted    -> recomputed  the derived tables rebuilt for exactly those dates (`recompute`, which the
                            Dagster job gives: a dbt build of the attribution marts for the tenant and dates)
  recomputed -> completed   a catalog-driven scan of every tenant table finds none of the subject's
                            identifiers; the evidence (tables scanned, rows removed per table, the time of
                            the recompute) is stored and the sealed identifiers are cleared. A scan that
                            finds a trace sends the request back to `received` (new rows for the subject
                            may have arrived) and says where.
  access: received -> completed with the export sealed in the row, to be downloaded once.

Every phase locks the request row, so two runs never carry out one phase twice; a phase that ran to its
end is never repeated, one that died is repeated from its start (each is idempotent).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from earmark import db
from earmark.privacy import audit, registry, requests
from earmark.settings import Settings
from earmark.sqlfiles import load

Recompute = Callable[[str, list[date]], dict]
TEXT_TYPES = ("text", "character varying", "json", "jsonb", "text[]")


@dataclass(frozen=True)
class Outcome:
    request_id: str
    kind: str
    phase: str
    evidence: dict
    error: str | None = None


def pattern(identifiers: list[str]) -> str:
    """A whole-value match of any identifier inside free text, in any case (emails): not a substring of a
    longer id."""
    alternatives = "|".join(re.escape(i) for i in sorted(identifiers, key=len, reverse=True))
    # Postgres ARE: the same escapes as Python's re for the characters re.escape emits
    return rf"(^|[^A-Za-z0-9_@.\-]){'(' + alternatives + ')'}($|[^A-Za-z0-9_@.\-])"


def _ident(table: str) -> sql.Identifier:
    schema, name = table.split(".", 1)
    return sql.Identifier(schema, name)


def _lock(conn: psycopg.Connection, tenant_id: str, request_id: str) -> dict | None:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(load("earmark.privacy", "requests_lock"),
                           {"tenant_id": tenant_id, "id": request_id}).fetchone()


def _advance(conn: psycopg.Connection, tenant_id: str, request_id: str, phase: str, evidence: dict,
             affected: list[date] | None = None, error: str | None = None,
             export_sealed: bytes | None = None) -> None:
    conn.execute(load("earmark.privacy", "requests_advance"), {
        "tenant_id": tenant_id, "id": request_id, "phase": phase,
        "evidence": json.dumps(evidence, default=str), "affected_dates": affected, "error": error,
        "export_sealed": export_sealed})


def _table_exists(conn: psycopg.Connection, table: str) -> bool:
    return conn.execute("select to_regclass(%s) is not null", [table]).fetchone()[0]


# ---- phase 1: delete or re-key the raw rows ----------------------------------------------------------

def _erase_raw(conn: psycopg.Connection, tenant_id: str, subject: requests.Subject,
               settings: Settings | None) -> dict[str, int]:
    """Delete (or tombstone) the subject's rows in every registered raw column; rows per table."""
    ids, stored = subject.identifiers(settings), subject.stored_ids(settings)
    removed: dict[str, int] = {}
    for column in registry.columns():
        if not column.reaches_subject or column.erasure not in ("delete", "tombstone"):
            continue
        if not _table_exists(conn, column.table):
            continue
        target, field = _ident(column.table), sql.Identifier(column.column)
        if column.subject == "user_id":
            where = sql.SQL("tenant_id = %(tenant_id)s and {} = any(%(ids)s)").format(field)
        else:
            where = sql.SQL("tenant_id = %(tenant_id)s and {}::text ~* %(pattern)s").format(field)
        if column.erasure == "delete":
            statement = sql.SQL("delete from {} where ").format(target) + where
        else:
            statement = sql.SQL("update {} set {} = {} where ").format(
                target, field, _tombstone(conn, column)) + where
        cur = conn.execute(statement, {"tenant_id": tenant_id, "ids": stored if column.subject == "user_id"
                                       else ids, "pattern": pattern(ids)})
        key = f"{column.table}.{column.column}" if column.erasure == "tombstone" else column.table
        removed[key] = removed.get(key, 0) + cur.rowcount
    return removed


def _tombstone(conn: psycopg.Connection, column: registry.PersonalColumn) -> sql.Composable:
    kind = conn.execute("select format_type(atttypid, atttypmod) from pg_attribute "
                        "where attrelid = %s::regclass and attname = %s",
                        [column.table, column.column]).fetchone()[0]
    if kind == "text[]":
        return sql.Literal([registry.TOMBSTONE])
    if kind in ("json", "jsonb"):
        return sql.SQL("to_jsonb({}::text)").format(sql.Literal(registry.TOMBSTONE))
    return sql.Literal(registry.TOMBSTONE)


def _affected_dates(conn: psycopg.Connection, tenant_id: str, user_ids: list[str]) -> list[date]:
    rows = conn.execute(load("earmark.privacy", "subject_conversion_dates"),
                        {"tenant_id": tenant_id, "user_ids": user_ids}).fetchall()
    return [r[0] for r in rows]


def delete_phase(conn: psycopg.Connection, tenant_id: str, request_id: str,
                 settings: Settings | None = None) -> str:
    """received -> deleted (erasure, rectification) or -> completed (access). Returns the new phase."""
    with db.tenant_transaction(conn, tenant_id):
        found = _lock(conn, tenant_id, request_id)
        if found is None or found["phase"] != "received":
            return found["phase"] if found else "missing"
        subject = requests.open_subject(tenant_id, found["subject_sealed"], settings)
        if found["kind"] == "access":
            document = access_export(tenant_id, subject, settings)
            sealed = requests.seal_export(tenant_id, document, settings)
            evidence = {"exported_values": len(document["values"]),
                        "tables": sorted({v["table"] for v in document["values"]})}
            _advance(conn, tenant_id, request_id, "completed", evidence, export_sealed=sealed)
            return "completed"
        stored = subject.stored_ids(settings)
        if found["kind"] == "erasure":
            affected = _affected_dates(conn, tenant_id, stored)
            removed = _erase_raw(conn, tenant_id, subject, settings)
            evidence = {"rows_removed": removed, "deleted_at": datetime.now(UTC).isoformat()}
        else:
            new_id = subject.new_user_id or ""
            affected = sorted(set(_affected_dates(conn, tenant_id, [*stored, new_id])))
            cur = conn.execute(load("earmark.privacy", "rekey_events"),
                               {"tenant_id": tenant_id, "user_ids": stored, "new_user_id": new_id})
            evidence = {"rows_rekeyed": {"raw.events": cur.rowcount},
                        "rekeyed_at": datetime.now(UTC).isoformat()}
        _advance(conn, tenant_id, request_id, "deleted", {**evidence, "affected_dates": [
            d.isoformat() for d in affected]}, affected=affected)
        return "deleted"


# ---- phase 2: recompute the derived tables ------------------------------------------------------------

def recompute_phase(conn: psycopg.Connection, tenant_id: str, request_id: str, recompute: Recompute) -> str:
    with db.tenant_transaction(conn, tenant_id):
        found = _lock(conn, tenant_id, request_id)
    if found is None or found["phase"] != "deleted":
        return found["phase"] if found else "missing"
    dates = list(found["affected_dates"])
    started = time.monotonic()
    detail = recompute(tenant_id, dates) if dates else {"skipped": "no conversion date was affected"}
    with db.tenant_transaction(conn, tenant_id):
        again = _lock(conn, tenant_id, request_id)
        if again is None or again["phase"] != "deleted":
            return again["phase"] if again else "missing"
        _advance(conn, tenant_id, request_id, "recomputed", {"recompute": {
            **detail, "dates": [d.isoformat() for d in dates],
            "seconds": round(time.monotonic() - started, 3), "recomputed_at": datetime.now(UTC).isoformat()}})
    return "recomputed"


# ---- phase 3: prove it ------------------------------------------------------------------------------

def scan(tenant_id: str, identifiers: list[str]) -> tuple[list[str], dict[str, int]]:
    """Every tenant table's text columns searched for the identifiers: (tables scanned, hits per column).

    Catalog-driven, not registry-driven, so a column nobody registered is searched too. Each table is read by
    a role that may (the owner for app, raw, catalog, ai, downloads and cost; the transformer for dbt's
    schemas), inside the tenant's transaction.
    """
    hits: dict[str, int] = {}
    scanned: list[str] = []
    with db.connect("owner") as owner, db.connect("transformer") as transformer:
        tables = owner.execute(load("earmark.privacy", "tenant_tables")).fetchall()
        pat = pattern(identifiers)
        for name, columns, _types, owner_reads in tables:
            conn = owner if owner_reads else transformer
            checks = [sql.SQL("count(*) filter (where {}::text ~* %(pattern)s)").format(sql.Identifier(c))
                      for c in columns]
            statement = sql.SQL("select {} from {} where tenant_id = %(tenant_id)s").format(
                sql.SQL(", ").join(checks), _ident(name))
            with db.tenant_transaction(conn, tenant_id):
                counts = conn.execute(statement, {"pattern": pat, "tenant_id": tenant_id}).fetchone()
            scanned.append(name)
            for column, count in zip(columns, counts, strict=True):
                if count:
                    hits[f"{name}.{column}"] = count
    return scanned, hits


def scan_phase(conn: psycopg.Connection, tenant_id: str, request_id: str,
               settings: Settings | None = None) -> str:
    with db.tenant_transaction(conn, tenant_id):
        found = _lock(conn, tenant_id, request_id)
    if found is None or found["phase"] != "recomputed":
        return found["phase"] if found else "missing"
    subject = requests.open_subject(tenant_id, found["subject_sealed"], settings)
    identifiers = subject.identifiers(settings)
    scanned, hits = scan(tenant_id, identifiers)
    evidence = {"scan": {"tables_scanned": len(scanned), "tables": scanned, "traces_found": hits,
                         "scanned_at": datetime.now(UTC).isoformat()}}
    with db.tenant_transaction(conn, tenant_id):
        again = _lock(conn, tenant_id, request_id)
        if again is None or again["phase"] != "recomputed":
            return again["phase"] if again else "missing"
        if hits:
            where = ", ".join(f"{k} ({v})" for k, v in sorted(hits.items()))
            _advance(conn, tenant_id, request_id, "received", evidence,
                     error=f"the scan still found the subject in {where}; the request runs again")
            return "received"
        _advance(conn, tenant_id, request_id, "completed", evidence)
        audit.append(conn, tenant_id, "system", "privacy_request_completed",
                     target=f"privacy_request:{request_id}",
                     changes={"type": found["kind"], "tables_scanned": len(scanned)})
    return "completed"


# ---- access ----------------------------------------------------------------------------------------

def access_export(tenant_id: str, subject: requests.Subject, settings: Settings | None = None) -> dict:
    """Every registered personal-data column's values for the subject, with each value's table and column,
    and the subject's raw events in full (Art. 15: the data and what it was used for)."""
    ids, stored = subject.identifiers(settings), subject.stored_ids(settings)
    values: list[dict] = []
    records: dict[str, list[dict]] = {}
    with db.connect("owner") as owner, db.connect("transformer") as transformer:
        for table, columns in registry.by_table().items():
            reaching = [c for c in columns if c.reaches_subject]
            if not reaching:
                continue
            if not _table_exists(owner, table):
                continue
            readable = owner.execute("select has_table_privilege('earmark_owner', %s, 'select')", [table])
            conn = owner if readable.fetchone()[0] else transformer
            personal = [c.column for c in columns]
            match = {"user_id": "{} = any(%(ids)s)", "contains": "{}::text ~* %(pattern)s"}
            conditions = [sql.SQL(match[c.subject]).format(sql.Identifier(c.column)) for c in reaching]
            statement = sql.SQL("select * from {} where tenant_id = %(tenant_id)s and ({})").format(
                _ident(table), sql.SQL(" or ").join(conditions))
            with db.tenant_transaction(conn, tenant_id), conn.cursor(row_factory=dict_row) as cur:
                rows = cur.execute(statement, {"tenant_id": tenant_id, "ids": stored,
                                               "pattern": pattern(ids)}).fetchall()
            for row in rows:
                for column in personal:
                    if row.get(column) is not None:
                        values.append({"table": table, "column": column, "value": _plain(row[column])})
            if table == "raw.events":
                records[table] = [{k: _plain(v) for k, v in row.items() if k != "tenant_id"} for row in rows]
    return {"generated_at": datetime.now(UTC).isoformat(), "tenant_id": tenant_id, "values": values,
            "records": records,
            "note": "emails are stored only as keyed pseudonyms (email:...): the address itself is not here"}


def _plain(value):
    if isinstance(value, (datetime, date, UUID)):
        return value.isoformat() if not isinstance(value, UUID) else str(value)
    if isinstance(value, (bytes, memoryview)):
        return "(sealed)"
    return value


# ---- one request, every phase ---------------------------------------------------------------------------

def process(tenant_id: str, request_id: str, recompute: Recompute,
            settings: Settings | None = None) -> Outcome:
    """Carry a request as far as it goes now; safe to call again at any time."""
    with db.connect("owner") as conn:
        with db.tenant_transaction(conn, tenant_id):
            conn.execute(load("earmark.privacy", "requests_attempted"),
                         {"tenant_id": tenant_id, "id": request_id})
        phase = delete_phase(conn, tenant_id, request_id, settings)
        if phase == "deleted":
            phase = recompute_phase(conn, tenant_id, request_id, recompute)
        if phase == "recomputed":
            phase = scan_phase(conn, tenant_id, request_id, settings)
        with db.tenant_transaction(conn, tenant_id), conn.cursor(row_factory=dict_row) as cur:
            row = cur.execute(load("earmark.privacy", "requests_get"),
                              {"tenant_id": tenant_id, "id": request_id}).fetchone()
    return Outcome(request_id, row["kind"], row["phase"], row["evidence"], row["error"])


def open_requests(conn: psycopg.Connection) -> list[tuple]:
    """(tenant_id, id, kind, phase, attempted_at) of every request not completed, oldest first."""
    return conn.execute(load("earmark.privacy", "requests_open")).fetchall()
