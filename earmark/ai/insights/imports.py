"""`earmark metrics import`: daily metrics of shows hosted elsewhere, a CSV of `show_id, metric, date, value`.

Every row is accounted for: loaded (new, or a changed value replacing the stored one), duplicate (the value
already stored, or the same row repeated in the file) or rejected with its row number and one sentence.
The rows that pass are written together in one transaction, through the API role (row-level security
scopes every row to the tenant), or none is. A day without a row stays missing: it is never read as 0.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from uuid import UUID

from earmark import db
from earmark.catalog.importer import CatalogFileError, read_records
from earmark.errors import EarmarkError
from earmark.sqlfiles import load

COLUMNS = ("show_id", "metric", "date", "value")
METRIC_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
# Earmark computes these itself; an imported one replaces Earmark's series for that show.
OWN_METRICS = ("downloads", "impressions", "site_visits", "conversions", "revenue", "spend")


class MetricsFileError(EarmarkError):
    """A metrics file that cannot be read as a whole; nothing was changed."""


@dataclass
class MetricsImport:
    rows: int = 0
    loaded: int = 0
    replaced: int = 0  # of the loaded rows, those that changed a stored value
    duplicates: int = 0
    rejected: int = 0
    rejections: list[dict] = field(default_factory=list)  # {"row": n, "reason": "..."}

    def as_json(self) -> dict:
        return asdict(self)


def parse_row(values: dict, known_shows: set[str]) -> tuple[tuple[str, str, date], float] | str:
    """(key, value) of a row, or the sentence that rejects it."""
    missing = [name for name in COLUMNS if not str(values.get(name, "")).strip()]
    if missing:
        return f"missing {', '.join(missing)}"
    show_id, metric = values["show_id"].strip(), values["metric"].strip()
    if show_id not in known_shows:
        return f"show_id {show_id!r} is not in the catalog; import the show first (earmark catalog import)"
    if not METRIC_NAME.match(metric):
        return (f"metric {metric!r} is not a metric name; use lower-case letters, digits and _ "
                "(e.g. downloads or listens), starting with a letter")
    try:
        day = date.fromisoformat(values["date"].strip())
    except ValueError:
        return f"date {values['date']!r} is not a date; write it as YYYY-MM-DD"
    try:
        value = float(values["value"].strip().replace(",", ""))
    except ValueError:
        return f"value {values['value']!r} is not a number"
    if not math.isfinite(value):
        return f"value {values['value']!r} is not a finite number"
    return (show_id, metric, day), value


def import_metrics(tenant_id: UUID | str, path: Path | str) -> MetricsImport:
    path = Path(path)
    if path.suffix.lower() != ".csv":
        raise MetricsFileError(f"{path.name} is not a .csv file; export the metrics as CSV with the columns "
                               f"{', '.join(COLUMNS)}.")
    try:
        records, malformed, _ = read_records(path)
    except CatalogFileError as exc:
        raise MetricsFileError(str(exc)) from None
    columns = {name for _, values in records for name in values}
    unknown = sorted(columns - set(COLUMNS))
    if unknown:
        raise MetricsFileError(f"{path.name} has the column(s) {', '.join(unknown)}; a metrics file has "
                               f"exactly {', '.join(COLUMNS)}.")
    result = MetricsImport(rows=len(records) + len(malformed))
    rejected = list(malformed)
    with db.connect("api") as conn, db.tenant_transaction(conn, tenant_id):
        known_shows = {row[0] for row in conn.execute(load("earmark.ai.insights", "catalog_show_ids"))}
        first: dict[tuple, tuple[int, float]] = {}
        for number, values in records:
            parsed = parse_row(values, known_shows)
            if isinstance(parsed, str):
                rejected.append({"row": number, "reason": parsed})
                continue
            key, value = parsed
            if key in first:
                earlier, earlier_value = first[key]
                if earlier_value == value:
                    result.duplicates += 1
                else:
                    rejected.append({"row": number, "reason": f"repeats the show_id, metric and date of row "
                                                              f"{earlier} with another value"})
                continue
            first[key] = (number, value)
        rows = [{"show_id": k[0], "metric": k[1], "day": k[2].isoformat(), "value": v}
                for k, (_, v) in first.items()]
        if rows:
            written = conn.execute(load("earmark.ai.insights", "imported_metrics_upsert"),
                                   {"tenant_id": str(tenant_id), "rows": json.dumps(rows)}).fetchall()
            result.loaded = len(written)
            result.replaced = sum(1 for (inserted,) in written if not inserted)
            result.duplicates += len(rows) - len(written)
    result.rejections = sorted(rejected, key=lambda r: r["row"])
    result.rejected = len(rejected)
    return result
