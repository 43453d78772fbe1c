"""Rows as CSV or JSON, the one way every `earmark ... export` writes them."""

from __future__ import annotations

import csv
import io
import json

from earmark import db
from earmark.errors import EarmarkError
from earmark.privacy import audit

FORMATS = ("csv", "json")


class ExportError(EarmarkError):
    """An export request that cannot be answered; the message says what to change."""


def render(rows: list[dict], columns: list[str], fmt: str) -> str:
    if fmt not in FORMATS:
        raise ExportError(f"Unknown format {fmt!r}; use --format csv or --format json.")
    if fmt == "json":
        return json.dumps(rows, default=str)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def audit_export(tenant_id, what: str, rows: int, **options) -> None:
    """The data_exported audit entry of a CLI export, once its rows are read: which report, its options and
    the row count, never the rows. Through the API role, in a tenant transaction of its own (the reads
    themselves run in theirs)."""
    changes = {"what": what, "rows": rows, **{k: v for k, v in options.items() if v is not None}}
    with db.connect("api") as conn, db.tenant_transaction(conn, tenant_id):
        audit.append(conn, tenant_id, audit.cli_actor(), "data_exported", f"export:{what}", changes=changes)
