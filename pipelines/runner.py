"""Run Earmark's assets in-process on the persistent instance, for the CLI (`earmark ingest|run`).

Runs go through Dagster exactly as scheduled runs do, so they show up in the UI with their logs.
"""

from __future__ import annotations

import contextlib
import io
import logging
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache

import dagster as dg

from earmark.errors import EarmarkError
from earmark.orchestration import prepare_dagster_home
from pipelines.defs.tenants import ensure_tenant_partitions
from pipelines.resources import EarmarkDatabase


class PipelineFailed(EarmarkError):
    """A Dagster run failed; the message is the failing step's own sentence."""


@dataclass
class StepOutcome:
    success: bool
    run_id: str
    metadata: dict = field(default_factory=dict)
    error: str | None = None
    # seconds per materialized asset, as Dagster recorded them (dbt models: dbt's own execution time)
    durations: dict[str, float] = field(default_factory=dict)
    # seconds the attribution step ran: dbt's process from start to its last event streamed into Dagster
    dbt_seconds: float | None = None
    # a transcripts run's analysis step: its materialization metadata
    analysis: dict = field(default_factory=dict)


@cache
def instance() -> dg.DagsterInstance:
    """The persistent instance, opened once per process: `earmark run` uses it for every step.

    Its storages hold a small connection pool, as the webserver's do: by default dagster-postgres opens a
    new connection for every event it writes (2,038 connections, 4.2 s of one `earmark run`).
    """
    prepare_dagster_home()
    found = dg.DagsterInstance.get()
    found.optimize_for_webserver(statement_timeout=0, pool_recycle=3600, max_overflow=4)
    return found


def outcome(result: dg.ExecuteInProcessResult, asset_key: str | None = None) -> StepOutcome:
    metadata: dict = {}
    if asset_key is not None:
        for materialization in result.asset_materializations_for_node(asset_key):
            metadata = {k: v.value for k, v in materialization.metadata.items()}
    error = None
    if not result.success:
        error = _failure_sentence(result)
    return StepOutcome(result.success, result.run_id, metadata, error, _durations(result))


def _durations(result: dg.ExecuteInProcessResult) -> dict[str, float]:
    """Each asset's execution time once (a ranged run materializes every partition with the same one)."""
    durations = {}
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        seconds = materialization.metadata.get("Execution Duration")
        if seconds is not None:
            durations[materialization.asset_key.to_user_string()] = float(seconds.value)
    return durations


def _failure_sentence(result: dg.ExecuteInProcessResult) -> str:
    for event in result.get_step_failure_events():
        data = event.step_failure_data
        if data.user_failure_data and data.user_failure_data.description:
            return data.user_failure_data.description
        if data.error:
            return data.error.message.strip().splitlines()[-1]
    return f"Dagster run {result.run_id} failed; see `earmark ui` for its logs."


class _StderrToLog(io.TextIOBase):
    """Dagster writes some failures straight to sys.stderr (a log call it could not store, e.g. when the
    database died): in the CLI those lines belong in the log file, not between the user and the one
    sentence the command ends with (earmark.cli.failures)."""

    def __init__(self) -> None:
        self._log = logging.getLogger("earmark.pipelines.stderr")
        self._writing = False

    def write(self, text: str) -> int:
        if self._writing:  # a handler that itself writes to stderr (no handler, or one that failed)
            return sys.__stderr__.write(text)
        self._writing = True
        try:
            for line in text.splitlines():
                if line.strip():
                    self._log.warning(line)
        finally:
            self._writing = False
        return len(text)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    # dagster-dbt echoes dbt's console to stdout for compute logs; the CLI prints its own summary, and
    # dbt keeps its full log under dbt_project/target/ (a failure's sentence carries dbt's errors).
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(_StderrToLog()):
        yield


# In-process runs print every event to the console by default; the CLI shows its own summary and
# the full logs stay in the event log for the UI.
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def ingest(tenant_id: str, paths: list[str]) -> StepOutcome:
    from pipelines.defs.ingest import ingest_batches_balanced, raw_events

    inst = instance()
    ensure_tenant_partitions(inst, [tenant_id])
    with contextlib.redirect_stderr(_StderrToLog()):
        result = dg.materialize(
            [raw_events, ingest_batches_balanced],
            partition_key=tenant_id,
            run_config={"ops": {"raw_events": {"config": {"paths": paths}}}, **QUIET},
            resources={"database": EarmarkDatabase()},
            instance=inst,
            raise_on_error=False,
            tags={"earmark/trigger": "cli"},
        )
    return outcome(result, "raw_events")


def download_requests(tenant_id: str, paths: list[str]) -> StepOutcome:
    """Load request logs for a tenant (and check every row is accounted for), in one Dagster run."""
    from pipelines.defs.downloads import download_requests as requests_asset
    from pipelines.defs.downloads import every_request_accounted

    inst = instance()
    ensure_tenant_partitions(inst, [tenant_id])
    with contextlib.redirect_stderr(_StderrToLog()):
        result = dg.materialize(
            [requests_asset, every_request_accounted], partition_key=tenant_id, instance=inst,
            run_config={"ops": {"download_requests": {"config": {"paths": paths}}}, **QUIET},
            resources={"database": EarmarkDatabase()}, raise_on_error=False, tags={"earmark/trigger": "cli"})
    return outcome(result, "download_requests")


def count_downloads(start: str, end: str) -> StepOutcome:
    """Count the UTC days start..end (inclusive) in one ranged run of `download_counts`."""
    from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

    from pipelines.defs.downloads import download_counts

    with contextlib.redirect_stderr(_StderrToLog()):
        result = dg.materialize(
            [download_counts], instance=instance(), run_config=QUIET,
            resources={"database": EarmarkDatabase()}, raise_on_error=False,
            tags={ASSET_PARTITION_RANGE_START_TAG: start, ASSET_PARTITION_RANGE_END_TAG: end,
                  "earmark/trigger": "cli"})
    return outcome(result, "download_counts")


def transcripts(tenant_id: str, paths: list[str], episode_id: str | None = None,
                analyse: bool = True) -> StepOutcome:
    """Load transcript files for a tenant and (by default) analyse what is new, in one Dagster run."""
    from pipelines.defs.ai import transcript_analysis
    from pipelines.defs.ai import transcripts as transcripts_asset

    inst = instance()
    ensure_tenant_partitions(inst, [tenant_id])
    with contextlib.redirect_stderr(_StderrToLog()):
        result = dg.materialize(
            [transcripts_asset, transcript_analysis] if analyse else [transcripts_asset],
            partition_key=tenant_id,
            run_config={"ops": {"transcripts": {"config": {"paths": paths, "episode_id": episode_id}}},
                        **QUIET},
            instance=inst,
            raise_on_error=False,
            tags={"earmark/trigger": "cli"},
        )
    done = outcome(result, "transcripts")
    if analyse:
        done.analysis = outcome(result, "transcript_analysis").metadata
    return done


def analyse(tenant_id: str, full: bool = False) -> StepOutcome:
    from pipelines.defs.ai import transcript_analysis

    inst = instance()
    ensure_tenant_partitions(inst, [tenant_id])
    with contextlib.redirect_stderr(_StderrToLog()):
        result = dg.materialize(
            [transcript_analysis], partition_key=tenant_id, instance=inst, raise_on_error=False,
            run_config={"ops": {"transcript_analysis": {"config": {"full": full}}}, **QUIET},
            tags={"earmark/trigger": "cli"})
    return outcome(result, "transcript_analysis")


def attribute(start: str, end: str, *, full_refresh: bool = False, tenant_id: str | None = None,
              recompute_window: bool = True) -> StepOutcome:
    """One run of the attribution models over the UTC days start..end (inclusive); with recompute_window
    off, dbt recomputes only what changed since each tenant's last run (the days are still materialized)."""
    with _quiet():
        result = _materialize_attribution(start, end, full_refresh, tenant_id, recompute_window)
    done = outcome(result)
    done.dbt_seconds = _step_seconds(result)
    return done


def _step_seconds(result: dg.ExecuteInProcessResult) -> float | None:
    """How long the run's one step took, from its success event in memory (None if it failed). The step is
    the dbt invocation: it starts dbt about 0.05 s after the step starts and ends when dbt's last event is
    stored. Reading the run's stored log for dagster-dbt's own start and finish lines instead meant fetching
    every event of the run again (1,300 at 1 M journeys) after each `earmark run`."""
    successes = result.get_step_success_events()
    return round(successes[0].step_success_data.duration_ms / 1000, 3) if successes else None


def _materialize_attribution(start: str, end: str, full_refresh: bool, tenant_id: str | None,
                             recompute_window: bool) -> dg.ExecuteInProcessResult:
    from dagster._core.storage.tags import (
        ASSET_PARTITION_RANGE_END_TAG,
        ASSET_PARTITION_RANGE_START_TAG,
    )

    from pipelines.defs.attribution import attribution_dbt_assets, attribution_run_config, dbt_resource

    return dg.materialize(
        [attribution_dbt_assets],
        run_config={**attribution_run_config(full_refresh=full_refresh, tenant_id=tenant_id,
                                             recompute_window=recompute_window), **QUIET},
        resources={"dbt": dbt_resource(), "database": EarmarkDatabase()},
        instance=instance(),
        raise_on_error=False,
        tags={
            ASSET_PARTITION_RANGE_START_TAG: start,
            ASSET_PARTITION_RANGE_END_TAG: end,
            "earmark/trigger": "cli",
        },
    )


def account_costs() -> StepOutcome:
    """The usage ledger, the cost marts and the budget check, in one run of `cost_job`'s assets."""
    from pipelines.defs.attribution import dbt_resource
    from pipelines.defs.cost import budget_alerts, cost_dbt_assets, cost_usage

    with _quiet():
        result = dg.materialize(
            [cost_usage, cost_dbt_assets, budget_alerts], instance=instance(), run_config=QUIET,
            resources={"dbt": dbt_resource(), "database": EarmarkDatabase()}, raise_on_error=False,
            tags={"earmark/trigger": "cli"})
    return outcome(result, "cost_usage")


def insights(day: str, tenant_id: str | None = None) -> StepOutcome:
    """One run of `insights_job`'s assets for the UTC day (anomalies, forecasts, predictions,
    recommendations), for one tenant or every active one."""
    from pipelines.defs.ai import campaign_predictions, metric_anomalies, metric_forecasts, recommendations

    assets = [metric_anomalies, metric_forecasts, campaign_predictions, recommendations]
    config = {"config": {"tenant_id": tenant_id}}
    with _quiet():
        result = dg.materialize(
            assets, partition_key=day, instance=instance(), raise_on_error=False,
            run_config={"ops": {a.op.name: config for a in assets}, **QUIET},
            resources={"database": EarmarkDatabase()}, tags={"earmark/trigger": "cli"})
    done = outcome(result, "metric_anomalies")
    # every asset's metadata, by key (the anomalies' is also the outcome's own)
    done.analysis = {a.key.to_user_string(): outcome(result, a.key.to_user_string()).metadata for a in assets}
    return done


def privacy_requests(request_id: str | None = None) -> StepOutcome:
    """One run of privacy_requests_job now: every open data-subject request (or one) as far as it goes."""
    from pipelines.defs.privacy import privacy_requests_job

    with _quiet():
        result = privacy_requests_job.execute_in_process(
            instance=instance(), raise_on_error=False, tags={"earmark/trigger": "cli"},
            run_config={"ops": {"process_privacy_requests": {"config": {"request_id": request_id}}}, **QUIET})
    done = outcome(result)
    done.metadata = result.output_for_node("process_privacy_requests") if result.success else {}
    return done


def match_households(day: str, tenant_id: str | None = None) -> StepOutcome:
    """household_matches for every active tenant (or one): matched exposures and listener signals, written as
    the touches the next attribution run reads."""
    from pipelines.defs.households import household_matches

    return _tenant_step(household_matches, day, tenant_id)


def measure_lift(day: str, tenant_id: str | None = None) -> StepOutcome:
    """campaign_lift for every active tenant (or one), stored as the night of `day`."""
    from pipelines.defs.households import campaign_lift

    return _tenant_step(campaign_lift, day, tenant_id)


def _tenant_step(asset: dg.AssetsDefinition, day: str, tenant_id: str | None) -> StepOutcome:
    """One daily-partitioned asset whose config names a tenant (None: every active tenant)."""
    with _quiet():
        result = dg.materialize(
            [asset], partition_key=day, instance=instance(), raise_on_error=False,
            run_config={"ops": {asset.op.name: {"config": {"tenant_id": tenant_id}}}, **QUIET},
            resources={"database": EarmarkDatabase()}, tags={"earmark/trigger": "cli"})
    return outcome(result, asset.op.name)
