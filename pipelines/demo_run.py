"""`earmark demo`: demo tenants with generated podcast-campaign data (catalog, journeys, one tenant's request
log and site pixel), run through the whole pipeline, then what each tenant loaded and found."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from rich.console import Console
from rich.table import Table

from earmark import db, tenancy
from earmark.migrate import migrate
from earmark.orchestration import landing_folder
from earmark.sqlfiles import load
from pipelines import households_steps as households
from pipelines.operations import RunSummary, account_costs, derive_insights, run_pipeline

DEMO_DAYS = 90


def run_demo(scale: float = 1.0, seed: int = 7, console: Console | None = None) -> RunSummary:
    """Demo tenants with generated podcast-campaign data, run through the whole pipeline."""
    from earmark.demo import demo_tenants, generate_catalog, generate_events, write_event_file

    console = console or Console()
    migrate()
    start = datetime.now(UTC).date() - timedelta(days=DEMO_DAYS)
    tenant_ids = []
    with db.connect("owner") as conn:
        existing = {t.name: t for t in tenancy.list_tenants(conn)}
        for index, (name, tier, journeys) in enumerate(demo_tenants(scale)):
            tenant = existing.get(name) or tenancy.create_tenant(conn, name, tier)
            tenant_ids.append(str(tenant.id))
            catalog = generate_catalog(seed=seed + index, days=DEMO_DAYS, start=start,
                                       audience=demo_audience(journeys))
            rows = _load_demo_catalog(tenant.id, catalog, seed + index, name, console)
            log = None
            if name == DEMO_REQUEST_LOG_TENANT:
                log = _land_demo_request_log(str(tenant.id), rows, start, seed + index, name, console)
            with console.status(f"generating {journeys:,} journeys for {name}"):
                events = generate_events(journeys, seed=seed + index, days=DEMO_DAYS, start=start)
                if log is not None:
                    events = _with_demo_pixels(events, log, rows, start, seed + index, name, console)
                path = landing_folder(str(tenant.id)) / f"demo-{start.isoformat()}-seed{seed + index}.csv"
                write_event_file(events, path, "csv")
            console.print(f"{name} ({tier}): {events.height:,} events landed in {path.parent}")
    summary = run_pipeline(console=console)
    derive_insights(summary, console)
    account_costs(summary, console)
    print_summary(tenant_ids, console)
    return summary


# The demo's smallest tenant also sends its host's request log for the window's last week: Earmark counts its
# downloads and delivered ads by the IAB rules, and its CPM placements are billed on those counts.
DEMO_REQUEST_LOG_TENANT = "Fern Wear"
DEMO_REQUEST_LOG_DAYS = 7


def _land_demo_request_log(tenant_id: str, rows: dict, start: date, seed: int, name: str,
                           console: Console):
    import polars as pl

    from earmark.demo.requests import request_log, write_request_log
    from earmark.orchestration import request_log_landing_folder

    last = start + timedelta(days=DEMO_DAYS - 1)
    first = last - timedelta(days=DEMO_REQUEST_LOG_DAYS - 1)
    with console.status(f"generating {name}'s request log"):
        log = request_log(pl.DataFrame(rows["episodes"]), rows["deliveries"], rows["ad_slots"], (first, last),
                          seed=seed)
        path = request_log_landing_folder(tenant_id) / f"demo-requests-{first.isoformat()}-seed{seed}.csv"
        write_request_log(log, path)
    console.print(f"{name}: {log.height:,} requests of {first} to {last} landed in {path.parent}")
    return log


def _with_demo_pixels(events, log, rows: dict, start: date, seed: int, name: str, console: Console):
    """The tenant's events with its site pixel's, drawn from the request log's households (issue 17): they
    go through the normal ingest, which keys and seals their addresses."""
    from earmark.demo.pixels import TRUE_LIFT, pixel_events, with_pixels

    end = datetime.combine(start + timedelta(days=DEMO_DAYS - 1), datetime.max.time(), tzinfo=UTC)
    pixels = pixel_events(log, rows, end, seed=seed)
    console.print(f"{name}: {pixels.height:,} pixel events of {pixels['ip'].n_unique():,} households "
                  f"(a true visit lift of {TRUE_LIFT:.0%} built in)")
    return with_pixels(events, pixels)


def _load_demo_catalog(tenant_id, catalog, seed: int, name: str, console: Console) -> dict:
    """What the demo tenant bought, imported as `earmark catalog import` would, before its events land (so
    ingestion links their promo codes and vanity URLs)."""
    from earmark.catalog.entities import SPECS
    from earmark.catalog.importer import import_records
    from earmark.demo.catalog_rows import catalog_rows

    counts = {}
    with db.connect("api") as conn, db.tenant_transaction(conn, tenant_id):
        every = catalog_rows(catalog, seed)
        for kind, rows in every.items():
            result = import_records(conn, tenant_id, SPECS[kind], list(enumerate(rows, start=1)), False)
            if result.rejected:
                raise RuntimeError(f"the demo catalog's {kind} were rejected: {result.rejections[:3]}")
            counts[kind] = result.rows
    console.print(f"{name}: catalog of {counts['shows']} shows, {counts['episodes']} episodes, "
                  f"{counts['campaigns']} campaigns, {counts['placements']} placements and "
                  f"{counts['deliveries']:,} days of deliveries")
    return every


# The share of a show's downloads a demo tenant's placements reach: a tenant with fewer journeys buys less.
DEMO_AUDIENCE_JOURNEYS = 60_000


def demo_audience(journeys: int) -> float:
    return min(1.0, max(journeys, 1) / DEMO_AUDIENCE_JOURNEYS)


def print_summary(tenant_ids: list[str], console: Console) -> None:
    with db.connect("transformer") as conn:
        rows = conn.execute(load("pipelines", "tenant_summary"), {"tenant_ids": tenant_ids}).fetchall()
    loaded = Table(title="Earmark demo: what each tenant loaded and what attribution found",
                   title_justify="left")
    for column in ("tenant", "tier", "events", "conversions", "revenue", "rejected", "attributed",
                   "top channel"):
        loaded.add_column(column, justify="left" if column in ("tenant", "tier", "top channel") else "right",
                          no_wrap=column != "tenant")
    economics = Table(title="Campaign economics (linear model)", title_justify="left")
    for column in ("tenant", "spend", "top show by ROAS", "its ROAS", "its CPA"):
        economics.add_column(column, justify="right" if column.startswith("its") else "left",
                             no_wrap=column != "tenant")
    for (name, tier, events, conversions, revenue, rejected, attributed, top_channel, spend, top_show, roas,
         cpa, currency) in rows:
        loaded.add_row(name, tier, f"{events:,}", f"{conversions:,}", f"{revenue:,.0f}", f"{rejected:,}",
                       f"{attributed:,.0f}", top_channel or "-")
        economics.add_row(name, spend or "-", top_show or "-", f"{roas:,.2f}" if roas is not None else "-",
                          f"{currency} {cpa:,.2f}" if cpa is not None else "-")
    console.print(loaded)
    console.print("attributed = conversions credited under the linear model (all five models sum the same); "
                  "top channel = most last-touch conversions.")
    console.print(economics)
    console.print("spend = what the placements cost (CPM on delivered impressions, flat fees spread "
                  "over their flights, CPA on attributed conversions); ROAS = attributed revenue / spend and "
                  "CPA = spend / attributed conversions, for the show with the best ROAS. Explore with "
                  "`earmark ui`, `earmark economics export --tenant ID --by show` or "
                  "`earmark attribution export --tenant ID --by show`.")
    households.print_lift(tenant_ids, console)
    _print_costs(console)


def _print_costs(console: Console) -> None:
    import psycopg

    from earmark.cost import reports

    with db.connect("owner") as conn:
        try:
            rows = reports.operator_rows(conn, reports.parse_month(None))
        except psycopg.errors.UndefinedTable:  # the cost run failed before its first allocation (said above)
            return
    table = Table(title="What each tenant cost to serve this month (USD)", title_justify="left")
    for column in ("tenant", "tier", "direct", "shared", "idle", "cost", "forecast", "95 % interval",
                   "revenue", "margin"):
        table.add_column(column, justify="left" if column in ("tenant", "tier") else "right",
                         no_wrap=column != "tenant")
    for row in rows:
        table.add_row(row["tenant"], row["tier"], f"{row['direct']:,.2f}", f"{row['shared']:,.2f}",
                      f"{row['idle']:,.2f}", f"{row['BilledCost']:,.2f}", f"{row['forecast']:,.2f}",
                      f"{row['forecast_low']:,.2f}-{row['forecast_high']:,.2f}", f"{row['revenue']:,.2f}",
                      f"{row['margin']:,.2f}")
    console.print(table)
    for row in rows:
        if row["top_driver"]:
            console.print(f"  top cost driver of {row['tenant']}: {row['top_driver']}")
    console.print("cost = month to date: direct (measured usage x the price book) + shared fixed costs by "
                  "their rule + idle capacity; forecast to month end (from complete days: a new install has "
                  "none yet); revenue = the tier's monthly price; margin = revenue - forecast. "
                  "`earmark cost report --format csv` has the same rows.")
