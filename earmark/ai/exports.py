"""`earmark ai ad-reads`: every detected ad segment of a tenant, one row each, as JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
from uuid import UUID

from earmark import db
from earmark.sqlfiles import load

COLUMNS = ("source_file", "episode_id", "start_s", "end_s", "kind", "brand", "promo_codes", "vanity_urls",
           "position", "confidence", "advertiser_id", "campaign_id", "code_said", "url_said", "url_repeats",
           "cta", "analyzer")
LIST_SEPARATOR = "|"  # a CSV cell's list, as the catalog import reads it


def ad_read_rows(tenant_id: UUID | str) -> list[dict]:
    with db.connect("api") as conn, db.tenant_transaction(conn, tenant_id):
        rows = conn.execute(load("earmark.ai", "ad_reads_export"), {"tenant_id": str(tenant_id)}).fetchall()
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows]


def render(rows: list[dict], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1) + "\n"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: LIST_SEPARATOR.join(v) if isinstance(v, list) else ("" if v is None else v)
                         for k, v in row.items()})
    return out.getvalue()
