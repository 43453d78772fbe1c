"""`earmark ai ad-reads`: the ad segments Earmark found in a tenant's transcripts."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from earmark.cli.choices import choices

Format = choices("Format", ("json", "csv"))
JSON = Format("json")


def ad_reads(
    tenant: str = typer.Option(..., "--tenant", help="Tenant id."),
    fmt: Format = typer.Option(JSON, "--format", help="json (a list of objects) or csv."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here instead of stdout."),
) -> None:
    """One row per detected ad segment: file, episode, start and end seconds, kind, brand, codes, URLs,
    position, confidence, and the checks against the brand's campaign."""
    from earmark import db, exports, tenancy
    from earmark.ai.exports import ad_read_rows, render
    from earmark.migrate import require_current_schema

    require_current_schema()
    with db.connect("owner") as conn:
        tenant_id = tenancy.get_tenant(conn, tenant).id
    rows = ad_read_rows(tenant_id)
    exports.audit_export(tenant_id, "ad_reads", len(rows), format=fmt.value)
    text = render(rows, fmt.value)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text)
