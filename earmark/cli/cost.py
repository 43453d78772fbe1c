"""`earmark cost prices load|show` and `earmark cost report`: the price book and what each tenant costs."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from earmark.cli.choices import choices

REPORT_FORMATS = ("table", "csv", "json")
ReportFormat = choices("ReportFormat", REPORT_FORMATS)

app = typer.Typer(help="Cost management: the price book, and what each tenant costs to serve.",
                  no_args_is_help=True)
prices_app = typer.Typer(help="Price book versions (unit prices and shared fixed costs).",
                         no_args_is_help=True)
app.add_typer(prices_app, name="prices")
console = Console(highlight=False, soft_wrap=True)


@prices_app.command("load")
def load_prices(
    path: Path = typer.Argument(..., help="A price book TOML file (format: earmark/cost/price_book.toml)."),
    retroactive: bool = typer.Option(False, "--retroactive", help="Allow an effective_from before today, "
                                                                  "repricing the days since."),
    as_json: bool = typer.Option(False, "--json", help="Print the loaded version as JSON."),
) -> None:
    """Load a new price book version; it prices the days from its effective_from on (the next cost run
    reallocates them)."""
    from earmark import db
    from earmark.cost import price_book
    from earmark.migrate import require_current_schema

    book = price_book.read(path)
    require_current_schema()
    with db.connect("owner") as conn:
        price_book.ensure_default(conn)
        loaded = price_book.load_book(conn, book, str(path), retroactive=retroactive)
    if as_json:
        print(json.dumps(loaded, default=str))
        return
    verb = "loaded" if loaded["loaded"] else "already loaded:"
    console.print(f"{verb} price book {loaded['version']!r}, effective from {loaded['effective_from']} "
                  f"({len(loaded['prices'])} unit prices, {len(loaded['shared'])} shared costs)")


@prices_app.command("show")
def show_prices(as_json: bool = typer.Option(False, "--json", help="Print every version as JSON.")) -> None:
    """Every price book version, the one in effect today marked."""
    from earmark import db
    from earmark.cost import price_book
    from earmark.migrate import require_current_schema

    require_current_schema()
    with db.connect("owner") as conn:
        books = price_book.versions(conn)
        current = next((b for b in books if b["in_effect"]), None)
        detail = price_book.describe(conn, current["book_id"]) if current else None
    if as_json:
        print(json.dumps({"versions": books, "in_effect": detail}, default=str))
        return
    for book in books:
        mark = "*" if book["in_effect"] else " "
        loaded = f"{book['loaded_at']:%Y-%m-%d %H:%M}"
        console.print(f"{mark} {book['version']}: from {book['effective_from']}, loaded {loaded} UTC from "
                      f"{book['source']}")
    if detail:
        for price in detail["prices"]:
            console.print(f"  {price['resource']}: {price['price']} {detail['currency']} per {price['per']}"
                          f"{' per month' if price['per_month'] else ''}")
        for shared in detail["shared"]:
            rule = shared["rule"] + (f" by {shared['metric']}" if shared["metric"] else "")
            amount = f"{shared['monthly_amount']} {detail['currency']}"
            console.print(f"  shared {shared['name']}: {amount}/month, {rule}")


@app.command()
def report(
    tenant: str | None = typer.Option(None, "--tenant", help="One tenant id (default: every tenant)."),
    month: str | None = typer.Option(None, "--month", help="YYYY-MM (default: this UTC month)."),
    fmt: ReportFormat = typer.Option("table", "--format", help="Output format."),
) -> None:
    """Each tenant's cost this month (direct, shared, idle), its forecast to month end with a 95 % interval,
    its tier's revenue and the margin, and its top cost driver; then the platform's own lines."""
    import psycopg

    from earmark import db, exports, tenancy
    from earmark.cost import reports
    from earmark.migrate import require_current_schema

    first = reports.parse_month(month)
    require_current_schema()
    with db.connect("owner") as conn:
        tenant_id = tenancy.get_tenant(conn, tenant).id if tenant else None
        try:
            rows = reports.operator_rows(conn, first, tenant_id)
        except psycopg.errors.UndefinedTable:
            raise reports.ReportError("No costs have been allocated yet: run `earmark run` (or the nightly "
                                      "cost_job) first.") from None
    if fmt.value != "table":
        print(exports.render(rows, reports.OPERATOR_COLUMNS, fmt.value),
              end="" if fmt.value == "csv" else "\n")
        return
    table = Table(title=f"Cost to serve, {first:%Y-%m} (USD)", title_justify="left")
    for column in reports.OPERATOR_COLUMNS[1:]:
        table.add_column(column, justify="left" if column in ("tenant", "tier", "top_driver") else "right")
    for row in rows:
        table.add_row(*[f"{row[c]:,.2f}" if not isinstance(row[c], str) else row[c]
                        for c in reports.OPERATOR_COLUMNS[1:]])
    console.print(table)
