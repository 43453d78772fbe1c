"""`earmark economics export`: spend, CPA and ROAS per campaign or show, as CSV or JSON."""

from __future__ import annotations

import typer

from earmark.attribution import MODELS
from earmark.catalog.economics import GROUPINGS
from earmark.cli.attribution import option_date
from earmark.cli.choices import choices
from earmark.exports import FORMATS

Grouping = choices("Grouping", GROUPINGS)
Format = choices("Format", FORMATS)
Model = choices("Model", MODELS)

app = typer.Typer(help="Campaign economics: what each campaign and show cost and earned.",
                  no_args_is_help=True)


@app.command()
def export(
    tenant: str = typer.Option(..., "--tenant", help="Tenant id."),
    by: Grouping = typer.Option(..., "--by", help="Per campaign or per show."),
    fmt: Format = typer.Option("csv", "--format", help="Output format."),
    model: Model | None = typer.Option(None, "--model", help="Attribution model (default: the tenant's "
                                                               "reporting_model)."),
    start: str | None = typer.Option(None, "--start", help="First day (YYYY-MM-DD)."),
    end: str | None = typer.Option(None, "--end", help="Last day, inclusive (YYYY-MM-DD)."),
) -> None:
    """The rows of GET /api/v1/economics/campaigns (or /shows): spend, impressions, conversions, revenue,
    CPA, ROAS, CPM and conversions per thousand impressions, per currency."""
    from earmark import db, exports, tenancy
    from earmark.catalog import economics
    from earmark.migrate import require_current_schema

    first, last = option_date(start, "--start"), option_date(end, "--end")
    require_current_schema()
    with db.connect("owner") as owner:
        tenant_id = tenancy.get_tenant(owner, tenant).id
    with db.connect("api") as conn:
        rows = economics.export_rows(conn, tenant_id, by=by.value, model=model.value if model else None,
                                     start=first, end=last)
    exports.audit_export(tenant_id, f"economics_by_{by.value}", len(rows), format=fmt.value,
                         model=model.value if model else None, start=first, end=last)
    print(exports.render(rows, economics.columns(by.value), fmt.value), end="" if fmt == "csv" else "\n")
