"""The pipeline end to end, as `earmark run` and `earmark demo` drive it through Dagster."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from rich.console import Console
from rich.table import Table

from earmark import db, tenancy
from earmark.migrate import migrate, require_current_schema
from earmark.orchestration import landing_folder, waiting_files, waiting_request_logs, waiting_transcripts
from earmark.sqlfiles import load
from pipelines import households_steps as households
from pipelines import runner
from pipelines.defs.partitions import FIRST_DAY
from pipelines.defs.tenants import ensure_tenant_partitions

DEMO_DAYS = 90


@dataclass
class RunSummary:
    ingested: dict[str, dict] = field(default_factory=dict)
    transcripts: dict[str, dict] = field(default_factory=dict)  # per tenant: files loaded and ad reads found
    request_logs: dict[str, dict] = field(default_factory=dict)  # per tenant: request-log rows accounted for
    downloads_counted: dict | None = None  # the days counted and the downloads found
    attributed: tuple[str, str] | None = None
    failed: list[str] = field(default_factory=list)
    attribution_run_id: str | None = None
    # dbt's execution time per model (asset key -> seconds) in the attribution run, and dbt's whole run
    model_seconds: dict[str, float] = field(default_factory=dict)
    dbt_seconds: float | None = None
    costs: dict = field(default_factory=dict)  # the cost_usage step's metadata (new ledger rows per source)
    insights: dict = field(default_factory=dict)  # per insights asset: its metadata (series, outputs)
    households: dict = field(default_factory=dict)  # household matching's metadata (exposures, matches)
    lift: dict = field(default_factory=dict)  # campaign_lift's metadata

    def as_json(self) -> dict:
        return {
            "ingested": self.ingested,
            "transcripts": self.transcripts,
            "request_logs": self.request_logs,
            "downloads_counted": self.downloads_counted,
            "attributed": None if self.attributed is None else {
                "start": self.attributed[0], "end": self.attributed[1], "run_id": self.attribution_run_id,
                "model_seconds": self.model_seconds,
                "model_seconds_total": round(sum(self.model_seconds.values()), 3),
                "dbt_seconds": self.dbt_seconds,
            },
            "costs": self.costs,
            "insights": self.insights,
            "households": self.households,
            "lift": self.lift,
            "failed": self.failed,
        }


def run_pipeline(tenant_id: str | None = None, full_refresh: bool = False,
                 console: Console | None = None) -> RunSummary:
    """Ingest every waiting file, then attribute every day that holds events."""
    console = console or Console()
    require_current_schema()
    summary = RunSummary()
    tenant_ids = _tenants_to_run(tenant_id)
    ensure_tenant_partitions(runner.instance(), tenant_ids)
    for tid in tenant_ids:
        _ingest_waiting_files(tid, summary, console)
        _load_waiting_transcripts(tid, summary, console)
        _load_waiting_request_logs(tid, summary, console)
    _count_downloads(summary, console)
    only = tenant_ids[0] if tenant_id is not None else None
    if not _has_events(only):
        console.print("no events yet: nothing to attribute")
        return summary
    households.match(only, summary, console)
    first_day = None if full_refresh else _first_changed_day(tenant_ids)
    _attribute(first_day or _first_event_day(only), only, full_refresh, summary, console)
    if summary.attributed:
        households.measure_lift(only, summary, console)
    return summary


def derive_insights(summary: RunSummary, console: Console, day: date | None = None,
                    tenant_id: str | None = None) -> None:
    """The insights job now (`earmark insights run`, the demo) for the night of `day` (default: the last
    complete UTC day): anomalies, forecasts, campaign predictions and recommendations."""
    day = day or datetime.now(UTC).date() - timedelta(days=1)
    with console.status(f"looking for anomalies and forecasting as of {day}"):
        result = runner.insights(day.isoformat(), tenant_id)
    if result.success:
        summary.insights = result.analysis
        found = {key: meta.get("outputs", 0) for key, meta in result.analysis.items()}
        console.print(f"insights as of {day}: {found.get('metric_anomalies', 0):,} anomalies, "
                      f"{found.get('metric_forecasts', 0):,} forecast days, "
                      f"{found.get('campaign_predictions', 0):,} placement predictions, "
                      f"{found.get('recommendations', 0):,} recommendations")
    else:
        summary.failed.append(result.error)
        console.print(f"[red]insights failed:[/] {result.error}")


def account_costs(summary: RunSummary, console: Console) -> None:
    """The cost job now (`earmark cost run`, the demo): measured usage, allocation, budget alerts. After the
    steps it charges; `earmark run` leaves it to the nightly cost_job, which keeps an incremental run fast
    (the cost marts' dbt build alone takes about 5 s)."""
    with console.status("measuring usage and allocating costs"):
        result = runner.account_costs()
    if result.success:
        summary.costs = result.metadata
        console.print(f"cost ledger: {result.metadata.get('new_rows', 0):,} new usage rows, costs allocated")
    else:
        summary.failed.append(result.error)
        console.print(f"[red]cost allocation failed:[/] {result.error}")


def _tenants_to_run(tenant_id: str | None) -> list[str]:
    """The one tenant asked for (checked), or every active tenant."""
    with db.connect("owner") as conn:
        if tenant_id is not None:
            return [str(tenancy.get_tenant(conn, tenant_id).id)]
        return [str(t.id) for t in tenancy.list_tenants(conn) if t.status == "active"]


def _load_waiting_transcripts(tenant_id: str, summary: RunSummary, console: Console) -> None:
    """Transcripts waiting in the tenant's landing folder are loaded and analysed, as the sensor would."""
    if not waiting_transcripts(tenant_id):
        return
    with console.status(f"loading and analysing waiting transcripts for tenant {tenant_id}"):
        result = runner.transcripts(tenant_id, [])
    counts = {k: result.metadata.get(k, 0) for k in ("files", "loaded", "replaced", "duplicate", "rejected")}
    summary.transcripts[tenant_id] = counts | {"ad_reads": result.analysis.get("ad_reads", 0)}
    for item in result.metadata.get("outcomes") or []:
        if item["outcome"] == "rejected":
            summary.failed.append(item["reason"])
            console.print(f"[red]transcript refused for {tenant_id}:[/] {item['reason']}")
    if not result.success and not result.metadata.get("outcomes"):
        summary.failed.append(result.error)


def _load_waiting_request_logs(tenant_id: str, summary: RunSummary, console: Console) -> None:
    if not waiting_request_logs(tenant_id):
        return
    with console.status(f"loading waiting request logs for tenant {tenant_id}"):
        result = runner.download_requests(tenant_id, [])
    if not result.success:
        summary.failed.append(result.error)
        console.print(f"[red]request logs failed for {tenant_id}:[/] {result.error}")
        return
    summary.request_logs[tenant_id] = {k: result.metadata.get(k, 0) for k in ("files", "rows", "loaded",
                                                                              "duplicates", "rejected")}


def _count_downloads(summary: RunSummary, console: Console) -> None:
    """Count the days whose downloads are out of date (new or late logs, new lists), before attribution reads
    the delivered ads."""
    from earmark.downloads.counted import stale_range

    with db.connect("transformer") as conn:
        found = stale_range(conn)
    if found is None:
        return
    start, end = found[0].isoformat(), found[1].isoformat()
    with console.status(f"counting downloads from {start} to {end}"):
        result = runner.count_downloads(start, end)
    if not result.success:
        summary.failed.append(result.error)
        console.print(f"[red]download counting failed:[/] {result.error}")
        return
    summary.downloads_counted = {"start": start, "end": result.metadata.get("counted_through", end),
                                 "fixed": result.metadata.get("fixed_downloads", 0),
                                 "rolling": result.metadata.get("rolling_downloads", 0)}
    console.print(f"counted downloads from {start} to {end}: {summary.downloads_counted['fixed']:,} (fixed "
                  f"window), {summary.downloads_counted['rolling']:,} (rolling)")


def _ingest_waiting_files(tenant_id: str, summary: RunSummary, console: Console) -> None:
    if not waiting_files(tenant_id):
        return
    with console.status(f"ingesting waiting files for tenant {tenant_id}"):
        result = runner.ingest(tenant_id, [])
    if not result.success:
        summary.failed.append(result.error)
        console.print(f"[red]ingestion failed for {tenant_id}:[/] {result.error}")
        return
    summary.ingested[tenant_id] = result.metadata
    console.print(f"ingested {result.metadata.get('files', 0)} file(s) for {tenant_id}: "
                  f"{result.metadata.get('loaded', 0):,} loaded, "
                  f"{result.metadata.get('duplicates', 0):,} duplicates, "
                  f"{result.metadata.get('rejected', 0):,} rejected")


def _has_events(tenant_id: str | None) -> bool:
    with db.connect("transformer") as conn:
        return conn.execute(load("pipelines", "has_events"), {"tenant_id": tenant_id}).fetchone()[0]


def _first_event_day(tenant_id: str | None) -> date | None:
    with db.connect("transformer") as conn:
        first, _ = conn.execute(load("pipelines", "event_date_range"), {"tenant_id": tenant_id}).fetchone()
    return first


def _first_changed_day(tenant_ids: list[str]) -> date | None:
    """The first day whose attribution can have changed since the last run (late events, new days), or
    None (every day) when a tenant was never attributed or its settings or catalog changed.

    A run materializes the days from there to today, and dbt recomputes what changed in them; every earlier
    day keeps the materialization of the run that computed it, whose figures still hold. Without this every
    `earmark run` recomputed every day since the first event (a whole refresh, through the slower
    incremental path: 12-20 s of dbt instead of about 1 s for a new day at 1 M journeys)."""
    with db.connect("transformer") as conn:
        if not conn.execute(load("pipelines", "attribution_runs_exist")).fetchone()[0]:
            return None
        every_day, first_day = conn.execute(load("pipelines", "changed_since_last_run"),
                                            {"tenant_ids": tenant_ids}).fetchone()
    return None if every_day else first_day


def _attribute(first_event_day: date, tenant_id: str | None, full_refresh: bool, summary: RunSummary,
               console: Console) -> None:
    start, end = _partition_range(first_event_day, datetime.now(UTC).date())
    label = "full refresh" if full_refresh else "incremental"
    with console.status(f"attributing {start} to {end} ({label}) with dbt"):
        # The days from the first changed one are materialized; dbt recomputes what changed in them (and a
        # full refresh everything): forcing the window would recompute every tenant's days in it.
        result = runner.attribute(start, end, full_refresh=full_refresh, tenant_id=tenant_id,
                                  recompute_window=full_refresh)
    summary.attribution_run_id = result.run_id
    summary.model_seconds = result.durations
    summary.dbt_seconds = result.dbt_seconds
    if result.success:
        summary.attributed = (start, end)
        console.print(f"attributed conversions from {start} to {end} ({label}), run {result.run_id}")
    else:
        summary.failed.append(result.error)
        console.print(f"[red]attribution failed:[/] {result.error}")


def _partition_range(first: date, today: date) -> tuple[str, str]:
    """The daily partitions from the first event's day to today (the partition set's earliest day
    is FIRST_DAY; older events are still attributed, since a partition reads its lookback)."""
    start = max(first, FIRST_DAY)
    return start.isoformat(), max(start, today).isoformat()


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
