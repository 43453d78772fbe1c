"""Rows as CSV or JSON, the one way every `earmark ... export` writes them."""

from __future__ import annotations

import csv
import io
import json

from earmark.errors import EarmarkError

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
