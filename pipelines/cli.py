"""`earmark ingest`, `earmark run`, `earmark ui` and `earmark demo`: the pipeline's front door."""

from __future__ import annotations

import json
import os
import shutil
import sys
import warnings
from pathlib import Path

import typer
from rich.console import Console

from earmark.errors import EarmarkError

WORKSPACE_YAML = """load_from:
  - python_module:
      module_name: pipelines.definitions
      location_name: earmark
"""

# Without a terminal (make, CI logs) rich would assume 80 columns and squeeze the summary table.
console = Console(highlight=False, soft_wrap=True, width=shutil.get_terminal_size((120, 24)).columns)


def ingest(
    path: Path = typer.Argument(..., help="A canonical event file: .csv, .parquet or .jsonl."),
    tenant: str = typer.Option(..., "--tenant", help="Tenant id that owns the events."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object with the row counts."),
) -> None:
    """Ingest one file now, through the same Dagster asset the landing sensor runs."""
    from earmark import db, tenancy
    from earmark.migrate import require_current_schema

    if not path.is_file():
        raise EarmarkError(f"{path} does not exist or is not a file; give the path of an event file.")
    require_current_schema()
    with db.connect("owner") as conn:
        tenant_id = str(tenancy.get_tenant(conn, tenant).id)
    from pipelines import runner

    result = runner.ingest(tenant_id, [str(path.resolve())])
    if not result.success:
        raise EarmarkError(result.error)
    counts = {k: result.metadata.get(k, 0) for k in ("rows", "loaded", "duplicates", "rejected")}
    if as_json:
        print(json.dumps({"tenant_id": tenant_id, "file": str(path), **counts, "run_id": result.run_id}))
    else:
        console.print(
            f"{path.name}: {counts['rows']:,} rows, {counts['loaded']:,} loaded, "
            f"{counts['duplicates']:,} duplicates, {counts['rejected']:,} rejected (run {result.run_id})"
        )


def run(
    tenant: str | None = typer.Option(None, "--tenant", help="Only this tenant (default: all)."),
    full_refresh: bool = typer.Option(False, "--full-refresh", help="Recompute every attribution model."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object: what was ingested and "
                                 "attributed, with each dbt model's seconds."),
) -> None:
    """Run the whole pipeline once: ingest waiting files, then attribute every day with data."""
    from pipelines.operations import run_pipeline

    quiet = Console(quiet=True) if as_json else console
    summary = run_pipeline(tenant_id=tenant, full_refresh=full_refresh, console=quiet)
    if summary.failed:
        raise EarmarkError(summary.failed[0])
    if as_json:
        print(json.dumps(summary.as_json()))


def cost_run(
    as_json: bool = typer.Option(False, "--json", help="Print the new ledger rows per source as JSON."),
) -> None:
    """Measure usage, allocate costs and evaluate budgets now (what the nightly cost_job does)."""
    from earmark.migrate import require_current_schema
    from pipelines.operations import RunSummary, account_costs

    require_current_schema()
    summary = RunSummary()
    account_costs(summary, Console(quiet=True) if as_json else console)
    if summary.failed:
        raise EarmarkError(summary.failed[0])
    if as_json:
        print(json.dumps(summary.costs))


def ui(
    host: str = typer.Option("127.0.0.1", help="Interface for the Dagster webserver."),
    port: int = typer.Option(3000, help="Port for the Dagster webserver."),
) -> None:
    """Start the Dagster webserver and daemon on Earmark's Postgres-backed instance."""
    from earmark.migrate import require_current_schema
    from earmark.orchestration import prepare_dagster_home

    require_current_schema()
    # Written into DAGSTER_HOME, so that it works from a wheel too; the code location keeps the name it has
    # in the repository's workspace.yaml (and docker-compose), and with it its schedules and run history.
    workspace = prepare_dagster_home() / "workspace.yaml"
    workspace.write_text(WORKSPACE_YAML)
    dagster = str(Path(sys.executable).with_name("dagster"))
    os.execv(dagster, [dagster, "dev", "-w", str(workspace), "-h", host, "-p", str(port)])


def demo(
    scale: float = typer.Option(1.0, help="Multiply the demo tenants' journey counts."),
    seed: int = typer.Option(7, help="Seed for the generated data."),
) -> None:
    """Set up demo tenants, generate their data, run the pipeline and print a summary."""
    from pipelines.demo_run import run_demo

    summary = run_demo(scale=scale, seed=seed, console=console)
    if summary.failed:
        raise EarmarkError(summary.failed[0])


transcripts_app = typer.Typer(help="Episode transcripts: load them for analysis.", no_args_is_help=True)


@transcripts_app.command("ingest")
def transcripts_ingest(
    paths: list[Path] = typer.Argument(..., help="WebVTT (.vtt), SRT (.srt) or JSON segment (.json) files."),
    tenant: str = typer.Option(..., "--tenant", help="Tenant id that owns the transcripts."),
    episode: str | None = typer.Option(None, "--episode", help="The catalog episode of the one file given; "
                                       "by default each file's name without its suffix is its episode."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object with every file's outcome."),
) -> None:
    """Load transcripts through Dagster and analyse them (sentiment, keywords, topics, ad reads)."""
    from earmark import db, tenancy
    from earmark.migrate import require_current_schema

    missing = [p for p in paths if not p.is_file()]
    if missing:
        raise EarmarkError(f"{missing[0]} does not exist or is not a file; give the path of a transcript.")
    require_current_schema()
    with db.connect("owner") as conn:
        tenant_id = str(tenancy.get_tenant(conn, tenant).id)
    from pipelines import runner

    result = runner.transcripts(tenant_id, [str(p.resolve()) for p in paths], episode)
    outcomes = result.metadata.get("outcomes") or []
    if not outcomes and not result.success:
        raise EarmarkError(result.error)
    if as_json:
        print(json.dumps({"tenant_id": tenant_id, **{k: result.metadata.get(k, 0) for k in (
            "files", "loaded", "replaced", "duplicate", "rejected")}, "outcomes": outcomes,
            "analysis": result.analysis, "run_id": result.run_id}))
    else:
        for item in outcomes:
            detail = item["reason"] if item["outcome"] == "rejected" else f"episode {item['episode_id']}, " \
                f"{item['cues']:,} cues"
            console.print(f"{item['file']}: {item['outcome']} ({detail})")
        if result.analysis:
            done = result.analysis
            console.print(f"analysed {done.get('episodes', 0)} episodes: {done.get('ad_reads', 0)} ad reads, "
                          f"{done.get('topics', 0)} topics (run {result.run_id})")
    rejected = [item for item in outcomes if item["outcome"] == "rejected"]
    if rejected:
        raise EarmarkError(f"{len(rejected)} of {len(outcomes)} files refused; the first: "
                           f"{rejected[0]['reason']}")
    if not result.success:
        raise EarmarkError(result.error)


def downloads_ingest(
    path: Path = typer.Argument(..., help="A request log: .csv or .csv.gz with the columns of "
                                "IAB_COUNTING.md."),
    tenant: str = typer.Option(..., "--tenant", help="Tenant id that owns the log."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object with the row counts."),
) -> None:
    """Load one request log now, through the Dagster asset the landing sensor runs, then count the days it
    touched (and their neighbours) so that reports include it."""
    from earmark import db, tenancy
    from earmark.downloads.counted import stale_range
    from earmark.migrate import require_current_schema

    if not path.is_file():
        raise EarmarkError(f"{path} does not exist or is not a file; give the path of a request log.")
    require_current_schema()
    with db.connect("owner") as conn:
        tenant_id = str(tenancy.get_tenant(conn, tenant).id)
    from pipelines import runner

    result = runner.download_requests(tenant_id, [str(path.resolve())])
    if not result.success:
        raise EarmarkError(result.error)
    counts = {k: result.metadata.get(k, 0) for k in ("rows", "loaded", "duplicates", "rejected")}
    with db.connect("transformer") as conn:
        stale = stale_range(conn)
    counted = runner.count_downloads(stale[0].isoformat(), stale[1].isoformat()) if stale else None
    if counted is not None and not counted.success:
        raise EarmarkError(counted.error)
    if as_json:
        print(json.dumps({"tenant_id": tenant_id, "file": str(path), **counts, "run_id": result.run_id,
                          "counted": None if stale is None else [stale[0].isoformat(),
                                                                 stale[1].isoformat()]}))
    else:
        console.print(f"{path.name}: {counts['rows']:,} rows, {counts['loaded']:,} loaded, "
                      f"{counts['duplicates']:,} duplicates, {counts['rejected']:,} rejected "
                      f"(run {result.run_id})")
        if stale:
            console.print(f"counted {stale[0]} to {stale[1]} ({counted.metadata.get('fixed_downloads', 0):,} "
                          f"downloads, fixed window)")


def insights_run(
    tenant: str | None = typer.Option(None, "--tenant", help="Only this tenant (default: every active one)."),
    as_of: str | None = typer.Option(None, "--as-of", help="The night to model (default: the last complete "
                                                           "UTC day); its earlier outputs are replaced."),
    as_json: bool = typer.Option(False, "--json", help="Print each insights asset's figures as JSON."),
) -> None:
    """Anomalies, forecasts, campaign predictions and recommendations now (what the nightly insights_job
    does), from the marts as the last `earmark run` left them."""
    from earmark import db, tenancy
    from earmark.cli.attribution import option_date
    from earmark.migrate import require_current_schema
    from pipelines.operations import RunSummary, derive_insights

    day = option_date(as_of, "--as-of")
    require_current_schema()
    tenant_id = None
    if tenant is not None:
        with db.connect("owner") as conn:
            tenant_id = str(tenancy.get_tenant(conn, tenant).id)
    summary = RunSummary()
    derive_insights(summary, Console(quiet=True) if as_json else console, day, tenant_id)
    if summary.failed:
        raise EarmarkError(summary.failed[0])
    if as_json:
        print(json.dumps(summary.insights, default=str))


def privacy_process(
    request: str | None = typer.Option(None, "--request", help="Only this request (default: all open ones)."),
    as_json: bool = typer.Option(False, "--json", help="Print each request's phase as JSON."),
) -> None:
    """Carry out open data-subject requests now (what privacy_requests_job does when its sensor fires)."""
    from earmark.migrate import require_current_schema
    from pipelines import runner

    require_current_schema()
    done = runner.privacy_requests(request)
    if not done.success:
        raise EarmarkError(done.error or "the privacy requests run failed")
    if as_json:
        print(json.dumps(done.metadata))
        return
    for request_id, phase in done.metadata.items():
        console.print(f"{request_id}: {phase}")
    if not done.metadata:
        console.print("no open data-subject request")


def register(app: typer.Typer) -> None:
    # Dagster warns at import that BackfillPolicy is beta, once per process, on the user's terminal: a
    # library's note to its developers, not to Earmark's users (the policy is pinned with the version).
    warnings.filterwarnings("ignore", message=r"Parameter `backfill_policy` of function .* is currently in "
                                              r"beta")
    from earmark.cli import cost as cost_cli
    from earmark.cli import insights as insights_cli

    insights_cli.insights_app.command("run")(insights_run)
    app.add_typer(insights_cli.insights_app, name="insights")

    cost_cli.app.command("run")(cost_run)
    from earmark.cli import privacy as privacy_cli

    privacy_cli.privacy_app.command("process")(privacy_process)
    from earmark.cli import downloads as downloads_cli

    downloads_cli.app.command("ingest")(downloads_ingest)
    app.add_typer(transcripts_app, name="transcripts")
    app.command()(ingest)
    app.command()(run)
    app.command()(ui)
    app.command()(demo)
