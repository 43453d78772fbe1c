"""`earmark catalog import`: a CSV or JSON Lines file of one entity, upserted by key in one transaction.

Every row is accounted for: inserted, updated, unchanged (equal to what is stored: a re-import changes
nothing) or rejected with its row number and one sentence. The rows that pass are written together, or
none is (any failure rolls the transaction back).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from uuid import UUID

import psycopg
from pydantic import ValidationError

from earmark import db
from earmark.catalog import rules, statements
from earmark.catalog.entities import KINDS, SPECS, Spec
from earmark.errors import EarmarkError
from earmark.privacy import audit

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}
# How a field reads in a sentence, where its column name alone would say less.
FIELD_LABELS = {"pricing": "pricing model"}


class CatalogFileError(EarmarkError):
    """A catalog file that cannot be read as a whole; nothing was changed."""


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejections: list[dict] = field(default_factory=list)  # {"row": n, "reason": "..."}

    def as_json(self) -> dict:
        return asdict(self)


def spec_of(kind: str) -> Spec:
    if kind not in SPECS:
        raise CatalogFileError(f"Unknown catalog kind {kind!r}; use one of {', '.join(KINDS)}.")
    return SPECS[kind]


def reason(error: dict) -> str:
    """One pydantic error as the sentence a rejected row carries."""
    name = ".".join(str(part) for part in error.get("loc", ()))
    label = FIELD_LABELS.get(name, name)
    kind, value = error.get("type", ""), error.get("input")
    if kind == "missing":
        return f"missing {name}"
    if kind == "literal_error":
        return f"unknown {label} {value!r}; use {error['ctx']['expected']}"
    if kind == "greater_than_equal" and error.get("ctx", {}).get("ge") == 0:
        return f"{name} {value} is negative; it must be zero or more"
    message = error.get("msg", "invalid").removeprefix("Value error, ")
    return f"{name}: {message}" if name else message


def read_records(path: Path) -> tuple[list[tuple[int, dict]], list[dict], bool]:
    """(row number, values) per record, records malformed as such, and whether values are text (CSV)."""
    if not path.is_file():
        raise CatalogFileError(f"{path} does not exist or is not a file.")
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise CatalogFileError(f"{path.name} has no known format; name it .csv or .jsonl (JSON Lines).")
    try:
        content = path.read_bytes().removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CatalogFileError(f"{path.name} is not valid UTF-8 (bad byte at offset {exc.start}); "
                               "re-export it as UTF-8.") from None
    return (*_read_csv(path, content), True) if fmt == "csv" else (*_read_jsonl(content), False)


def _read_csv(path: Path, content: str) -> tuple[list[tuple[int, dict]], list[dict]]:
    reader = csv.reader(io.StringIO(content, newline=""))
    header = [name.strip() for name in next(reader, [])]
    if not header:
        raise CatalogFileError(f"{path.name} is empty; a CSV needs a header line and rows.")
    if len(set(header)) != len(header):
        raise CatalogFileError(f"{path.name} repeats a column name in its header: {', '.join(header)}.")
    records, malformed = [], []
    for number, values in enumerate(reader, start=1):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            malformed.append({"row": number, "reason": f"expected {len(header)} fields, found {len(values)}"})
            continue
        # An empty cell is an absent value, so the field's default applies.
        records.append((number, {k: v for k, v in zip(header, values, strict=True) if v.strip() != ""}))
    return records, malformed


def _read_jsonl(content: str) -> tuple[list[tuple[int, dict]], list[dict]]:
    records, malformed = [], []
    # Lines end at \n only: str.splitlines would also break a line at U+2028, which JSON strings may hold.
    for number, line in enumerate(content.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            malformed.append({"row": number, "reason": f"not valid JSON ({exc.msg})"})
            continue
        except ValueError as exc:  # e.g. an integer longer than Python converts
            malformed.append({"row": number, "reason": f"not valid JSON ({exc})"})
            continue
        if not isinstance(value, dict):
            malformed.append({"row": number, "reason": "not a JSON object"})
            continue
        records.append((number, {k: v for k, v in value.items() if v is not None}))
    return records, malformed


def check_columns(spec: Spec, records: list[tuple[int, dict]], file_name: str) -> None:
    """A column the entity does not have is a mistake in the whole file (a misspelt header), not in a row."""
    seen = {name for _, values in records for name in values}
    unknown = sorted(seen - set(spec.columns))
    if unknown:
        raise CatalogFileError(
            f"{file_name} has the column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}, which "
            f"{spec.name} do not have; their columns are {', '.join(spec.columns)}.")


def validate(spec: Spec, records: list[tuple[int, dict]], from_text: bool
             ) -> tuple[list[tuple[int, dict]], list[dict]]:
    """Rows as the table's columns, and the rejections of the field rules and of repeated keys."""
    valid, rejected, first_row = [], [], {}
    for number, values in records:
        try:
            row = spec.model.model_validate(values, context={"from_text": from_text}).model_dump()
        except ValidationError as exc:
            rejected.append({"row": number, "reason": reason(exc.errors()[0])})
            continue
        key = tuple(row[c] for c in spec.key)
        if key in first_row:
            rejected.append({"row": number, "reason": f"repeats the {' and '.join(spec.key)} of row "
                                                      f"{first_row[key]}"})
            continue
        first_row[key] = number
        valid.append((number, row))
    return valid, rejected


def known_rows(conn: psycopg.Connection, spec: Spec) -> rules.Known:
    known = {}
    for name in rules.needed(spec):
        cur = conn.cursor(row_factory=psycopg.rows.dict_row)
        known[name] = rules.index(name, cur.execute(statements.select_all(name)).fetchall())
    return known


def rows_json(rows: list[dict]) -> str:
    # Decimals and dates as strings: jsonb_to_recordset casts them to the column's type exactly.
    return json.dumps(rows, default=str)


def import_records(conn: psycopg.Connection, tenant_id: UUID | str, spec: Spec,
                   records: list[tuple[int, dict]], from_text: bool, malformed: list[dict] | None = None
                   ) -> ImportResult:
    """Validate, check and upsert, inside the caller's tenant transaction."""
    result = ImportResult(kind=spec.name, rows=len(records) + len(malformed or []))
    valid, rejected = validate(spec, records, from_text)
    rejected = list(malformed or []) + rejected
    known = known_rows(conn, spec)
    writable = []
    for number, row in valid:
        problem = rules.problem(spec, row, known)
        if problem is None:
            writable.append(row)
        else:
            rejected.append({"row": number, "reason": problem})
    if writable:
        written = conn.execute(statements.upsert(spec.name),
                               {"tenant_id": str(tenant_id), "rows": rows_json(writable)}).fetchall()
        result.inserted = sum(1 for row in written if row[-1])
        result.updated = len(written) - result.inserted
        result.unchanged = len(writable) - len(written)
    result.rejections = sorted(rejected, key=lambda r: r["row"])
    result.rejected = len(rejected)
    return result


def audit_changes(results: list[ImportResult], file_name: str = "") -> dict:
    """The changes of a catalog_imported audit entry: the row counts per entity, never the rows."""
    counts = {r.kind: {"rows": r.rows, "inserted": r.inserted, "updated": r.updated, "unchanged": r.unchanged,
                       "rejected": r.rejected} for r in results}
    return {"file": file_name, "entities": counts} if file_name else {"entities": counts}


def import_file(tenant_id: UUID | str, kind: str, path: Path | str, actor: str | None = None) -> ImportResult:
    """Import `path` as `kind` for the tenant, through the API role (row-level security scopes every row).
    With an `actor`, the import's catalog_imported audit entry is written in its transaction."""
    spec = spec_of(kind)
    path = Path(path)
    records, malformed, from_text = read_records(path)
    check_columns(spec, records, path.name)
    with db.connect("api") as conn, db.tenant_transaction(conn, tenant_id):
        result = import_records(conn, tenant_id, spec, records, from_text, malformed)
        if actor is not None:
            audit.append(conn, tenant_id, actor, "catalog_imported", f"catalog:{spec.name}",
                         changes=audit_changes([result], path.name))
        return result
