"""`earmark attribution export`: model x channel (campaign, show) totals as CSV or JSON."""

from __future__ import annotations

from datetime import date

import typer

from earmark.attribution.export import FORMATS, GROUPINGS
from earmark.cli.choices import choices

Grouping = choices("Grouping", GROUPINGS)
Format = choices("Format", FORMATS)

app = typer.Typer(help="Attribution results.", no_args_is_help=True)


@app.command()
def export(
    tenant: str = typer.Option(..., "--tenant", help="Tenant id."),
    by: Grouping = typer.Option("channel", "--by", help="What to total by."),
    fmt: Format = typer.Option("csv", "--format", help="Output format."),
    start: str | None = typer.Option(None, "--start", help="First conversion date (YYYY-MM-DD)."),
    end: str | None = typer.Option(None, "--end", help="Last conversion date, inclusive (YYYY-MM-DD)."),
) -> None:
    """Totals per model and group over the conversion dates asked (all by default)."""
    from earmark import db, exports, tenancy
    from earmark.attribution import export as attribution_export
    from earmark.migrate import require_current_schema

    first, last = option_date(start, "--start"), option_date(end, "--end")
    require_current_schema()
    with db.connect("owner") as owner:
        tenant_id = tenancy.get_tenant(owner, tenant).id
    with db.connect("api") as conn:
        rows = attribution_export.export_rows(conn, tenant_id, by=by.value, start=first, end=last)
    exports.audit_export(tenant_id, f"attribution_by_{by.value}", len(rows), format=fmt.value, start=first,
                         end=last)
    print(attribution_export.render(rows, by.value, fmt.value), end="" if fmt == "csv" else "\n")


def option_date(value: str | None, option: str) -> date | None:
    from earmark.exports import ExportError

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ExportError(f"{option} {value!r} is not a date; use YYYY-MM-DD.") from None
