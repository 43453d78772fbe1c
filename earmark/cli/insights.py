"""`earmark metrics import`, `earmark anomalies export` and `earmark forecast`: the daily series of a tenant's
shows and campaigns, what was unusual in them, and what comes next."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console

from earmark.cli.attribution import option_date
from earmark.cli.choices import choices
from earmark.exports import FORMATS

Format = choices("Format", FORMATS)
metrics_app = typer.Typer(help="Daily metrics of shows hosted elsewhere.", no_args_is_help=True)
anomalies_app = typer.Typer(help="Anomalies Earmark found in the daily metrics.", no_args_is_help=True)
# `earmark insights run` is added by the pipelines plugin (it runs Dagster).
insights_app = typer.Typer(help="Anomalies, forecasts, predictions and recommendations, nightly.",
                           no_args_is_help=True)
console = Console(highlight=False, soft_wrap=True)
SHOWN_REJECTIONS = 20


def _tenant_id(tenant: str):
    from earmark import db, tenancy
    from earmark.migrate import require_current_schema

    require_current_schema()
    with db.connect("owner") as conn:
        return tenancy.get_tenant(conn, tenant).id


@metrics_app.command("import")
def import_(
    path: Path = typer.Argument(..., help="A .csv with the columns show_id, metric, date, value."),
    tenant: str = typer.Option(..., "--tenant", help="Tenant id that owns the shows."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object with the row counts."),
) -> None:
    """Load one value per show, metric and day (a changed value replaces the stored one); a day without a row
    stays missing. Rejected rows are listed with their row number and reason; nothing else is lost."""
    from earmark.ai.insights.imports import import_metrics

    tenant_id = _tenant_id(tenant)
    result = import_metrics(tenant_id, path)
    if as_json:
        print(json.dumps({"tenant_id": str(tenant_id), "file": str(path), **result.as_json()}))
        return
    console.print(f"{path.name}: {result.rows:,} rows, {result.loaded:,} loaded ({result.replaced:,} "
                  f"replacing a stored value), {result.duplicates:,} duplicates, "
                  f"{result.rejected:,} rejected")
    for rejection in result.rejections[:SHOWN_REJECTIONS]:
        console.print(f"  row {rejection['row']}: {rejection['reason']}")
    if result.rejected > SHOWN_REJECTIONS:
        console.print(f"  ... and {result.rejected - SHOWN_REJECTIONS:,} more (see --json)")


@anomalies_app.command()
def export(
    tenant: str = typer.Option(..., "--tenant", help="Tenant id."),
    start: str | None = typer.Option(None, "--start", help="First day (YYYY-MM-DD)."),
    end: str | None = typer.Option(None, "--end", help="Last day, inclusive (YYYY-MM-DD)."),
    as_of: str | None = typer.Option(None, "--as-of", help="The night whose findings to show (default: the "
                                                           "newest)."),
    fmt: Format = typer.Option("csv", "--format", help="Output format."),
) -> None:
    """The rows of GET /api/v1/ai/anomalies: show_id (or campaign_id), metric, date, actual, expected, lower,
    upper, score, kind and the explanation, with the dimension behind it where Earmark knows it."""
    from earmark import db, exports
    from earmark.ai.insights.exports import ANOMALY_COLUMNS, anomaly_rows

    first, last = option_date(start, "--start"), option_date(end, "--end")
    night = option_date(as_of, "--as-of")
    tenant_id = _tenant_id(tenant)
    with db.connect("api") as conn:
        rows = anomaly_rows(conn, tenant_id, start=first, end=last, as_of=night)
    exports.audit_export(tenant_id, "anomalies", len(rows), format=fmt.value, start=first, end=last,
                         as_of=night)
    print(exports.render(rows, ANOMALY_COLUMNS, fmt.value), end="" if fmt == "csv" else "\n")


def forecast(
    tenant: str = typer.Option(..., "--tenant", help="Tenant id."),
    metric: str = typer.Option(..., "--metric", help="downloads, impressions, site_visits, conversions, "
                                                     "revenue, spend or an imported metric's name."),
    show: str | None = typer.Option(None, "--show", help="Only this show (default: every show with the "
                                                         "metric)."),
    campaign: str | None = typer.Option(None, "--campaign", help="This campaign's series instead of shows'."),
    horizon: int = typer.Option(28, "--horizon", help="Days to forecast after --as-of."),
    as_of: str | None = typer.Option(None, "--as-of", help="Use data up to this day only (default: the last "
                                                           "complete UTC day)."),
    fmt: Format = typer.Option("csv", "--format", help="Output format."),
) -> None:
    """Per series and future day: show_id, metric, date, predicted and its 80 % interval (lower, upper),
    from the model of the expected value the anomaly detection uses."""
    from earmark import db, exports
    from earmark.ai.insights.exports import FORECAST_COLUMNS, forecast_now

    night = option_date(as_of, "--as-of")
    tenant_id = _tenant_id(tenant)
    with db.connect("api") as conn:
        rows = forecast_now(conn, tenant_id, metric=metric, horizon=horizon, show_id=show,
                            campaign_id=campaign, as_of=night)
    print(exports.render(rows, FORECAST_COLUMNS, fmt.value), end="" if fmt == "csv" else "\n")
