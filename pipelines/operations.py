"""The pipeline end to end, as `earmark run` (and `earmark demo`, pipelines/demo_run.py) drive it through
Dagster."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from rich.console import Console

from earmark import db, tenancy
from earmark.migrate import require_current_schema
from earmark.orchestration import waiting_files, waiting_request_logs, waiting_transcripts
from earmark.sqlfiles import load
from pipelines import households_steps as households
from pipelines import runner
from pipelines.defs.partitions import FIRST_DAY
from pipelines.defs.tenants import ensure_tenant_partitions


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
