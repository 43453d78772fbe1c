"""`earmark catalog import`: advertisers, shows, episodes, campaigns, placements and what was delivered."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console

from earmark.catalog.entities import KINDS
from earmark.cli.choices import choices

Kind = choices("Kind", KINDS)
app = typer.Typer(help="The podcast catalog: what a tenant buys, and what was delivered.",
                  no_args_is_help=True)
console = Console(highlight=False, soft_wrap=True)
SHOWN_REJECTIONS = 20


@app.command("import")
def import_(
    path: Path = typer.Argument(..., help="A .csv (header = column names) or .jsonl file of one kind."),
    tenant: str = typer.Option(..., "--tenant", help="Tenant id that owns the catalog."),
    kind: Kind = typer.Option(..., "--kind", help="Which entity the file holds."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object with the row counts."),
) -> None:
    """Upsert the file's rows by their key, in one transaction; rejected rows are listed with a reason."""
    from earmark import db, tenancy
    from earmark.catalog.importer import import_file
    from earmark.migrate import require_current_schema
    from earmark.privacy import audit

    require_current_schema()
    with db.connect("owner") as conn:
        tenant_id = tenancy.get_tenant(conn, tenant).id
    result = import_file(tenant_id, kind.value, path, actor=audit.cli_actor())
    if as_json:
        print(json.dumps({"tenant_id": str(tenant_id), "file": str(path), **result.as_json()}))
        return
    console.print(f"{path.name} ({result.kind}): {result.rows:,} rows, {result.inserted:,} inserted, "
                  f"{result.updated:,} updated, {result.unchanged:,} unchanged, {result.rejected:,} rejected")
    for rejection in result.rejections[:SHOWN_REJECTIONS]:
        console.print(f"  row {rejection['row']}: {rejection['reason']}")
    if result.rejected > SHOWN_REJECTIONS:
        console.print(f"  ... and {result.rejected - SHOWN_REJECTIONS:,} more (see --json)")
