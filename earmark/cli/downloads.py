"""`earmark downloads`: downloads, listeners and delivered ads counted from request logs (IAB_COUNTING.md).

`export` writes one report (earmark.downloads.reports) as CSV or JSON: the rows of the API's /downloads
routes, read through the API role in the tenant's transaction. `lists` holds the bot and data-centre list
commands.
"""

from __future__ import annotations

import typer

from earmark.cli.attribution import option_date
from earmark.cli.choices import choices
from earmark.downloads.reasons import MODES
from earmark.downloads.reports import REPORTS
from earmark.exports import FORMATS

Report = choices("Report", REPORTS)
Format = choices("Format", FORMATS)
Mode = choices("Mode", MODES)

app = typer.Typer(help="Downloads and delivered ads counted from request logs (IAB v2.2 rules).",
                  no_args_is_help=True)
lists_app = typer.Typer(help="The bot user-agent and data-centre CIDR lists counting uses.",
                        no_args_is_help=True)
app.add_typer(lists_app, name="lists")


@app.command()
def export(
    tenant: str = typer.Option(..., "--tenant", help="Tenant id."),
    what: Report = typer.Option(..., "--what", help="Which report."),
    fmt: Format = typer.Option("csv", "--format", help="Output format."),
    mode: Mode | None = typer.Option(None, "--mode", help="Window mode (default: the tenant's "
                                                          "download_window)."),
    start: str | None = typer.Option(None, "--start", help="First UTC day (YYYY-MM-DD)."),
    end: str | None = typer.Option(None, "--end", help="Last UTC day, inclusive (YYYY-MM-DD)."),
) -> None:
    """Downloads and listeners per episode or show and day, delivered ads per ad and day, each request's
    outcome, or the exclusions per day and reason: the rows of GET /api/v1/downloads/<report>."""
    from earmark import db, exports, tenancy
    from earmark.downloads import reports
    from earmark.migrate import require_current_schema

    first, last = option_date(start, "--start"), option_date(end, "--end")
    require_current_schema()
    with db.connect("owner") as owner:
        tenant_id = tenancy.get_tenant(owner, tenant).id
    with db.connect("api") as conn:
        rows = reports.export_rows(conn, tenant_id, what=what.value, mode=mode.value if mode else None,
                                   start=first, end=last)
    exports.audit_export(tenant_id, f"downloads_{what.value}", len(rows), format=fmt.value,
                         mode=mode.value if mode else None, start=first, end=last)
    print(exports.render(rows, reports.columns(what.value), fmt.value), end="" if fmt == "csv" else "\n")
