"""`earmark attribution export`: model x channel (or campaign) totals as CSV or JSON."""

from __future__ import annotations

from datetime import date

import typer

app = typer.Typer(help="Attribution results.", no_args_is_help=True)


@app.command()
def export(
    tenant: str = typer.Option(..., "--tenant", help="Tenant id."),
    by: str = typer.Option("channel", "--by", help="channel or campaign."),
    fmt: str = typer.Option("csv", "--format", help="csv or json."),
    start: str | None = typer.Option(None, "--start", help="First conversion date (YYYY-MM-DD)."),
    end: str | None = typer.Option(None, "--end", help="Last conversion date, inclusive (YYYY-MM-DD)."),
) -> None:
    """Totals per model and group over the conversion dates asked (all by default)."""
    from earmark import db, tenancy
    from earmark.attribution import export as attribution_export

    first, last = _date(start, "--start"), _date(end, "--end")
    with db.connect("owner") as owner:
        tenancy.get_tenant(owner, tenant)
    with db.connect("api") as conn:
        rows = attribution_export.export_rows(conn, tenant, by=by, start=first, end=last)
    print(attribution_export.render(rows, by, fmt), end="" if fmt == "csv" else "\n")


def _date(value: str | None, option: str) -> date | None:
    from earmark.attribution.export import ExportError

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ExportError(f"{option} {value!r} is not a date; use YYYY-MM-DD.") from None
