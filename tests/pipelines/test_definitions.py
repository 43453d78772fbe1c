"""The code location loads the way the webserver and daemon load it, and holds what the docs promise."""

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

from earmark.orchestration import prepare_dagster_home

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MARTS = {"fct_attribution_runs", "fct_conversion_paths", "fct_daily_channel_credits", "fct_model_comparison",
         "fct_touch_credits"}
CATALOG_MARTS = {"fct_daily_show_credits", "fct_daily_spend", "fct_daily_economics"}


def test_dagster_definitions_validate_from_the_workspace(database):
    prepare_dagster_home()
    dagster = Path(sys.executable).with_name("dagster")
    done = subprocess.run(
        [str(dagster), "definitions", "validate", "-w", str(PROJECT_ROOT / "workspace.yaml")],
        capture_output=True, text=True, cwd=PROJECT_ROOT, env=os.environ.copy(), timeout=300,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Validation successful for code location earmark" in output, output


def test_definitions_hold_the_pipeline_by_domain():
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    groups = {key.to_user_string(): graph.get(key).group_name for key in graph.get_all_asset_keys()
              if graph.get(key).is_materializable}
    assert groups == {"raw_events": "ingest", **dict.fromkeys(MARTS, "attribution"),
                      **dict.fromkeys(CATALOG_MARTS, "catalog"),
                      "intermediate/int_attribution_scopes": "attribution",
                      "intermediate/int_attribution_settings": "attribution",
                      "transcripts": "ai", "transcript_analysis": "ai", "fct_daily_metrics": "ai",
                      **dict.fromkeys(("metric_anomalies", "metric_forecasts", "campaign_predictions",
                                       "recommendations"), "ai"),
                      "download_requests": "downloads", "download_counts": "downloads",
                      **dict.fromkeys(("cost_usage", "fct_daily_costs", "fct_cost_drivers"), "cost"),
                      "audit_heads_export": "privacy", "raw_retention": "privacy",
                      **dict.fromkeys(("household_matches", "campaign_lift", "fct_household_metrics"),
                                      "households")}
    checks = {key.to_user_string() for key in graph.asset_check_keys}
    assert "raw_events:ingest_batches_balanced" in checks
    assert "fct_daily_channel_credits:credits_sum_to_conversions_fct_daily_channel_credits_" in checks
    assert "fct_daily_spend:spend_follows_pricing_fct_daily_spend_" in checks
    assert "transcripts:every_file_accepted" in checks
    assert "download_requests:every_request_accounted" in checks
    assert "metric_anomalies:newest_day_as_expected" in checks
    assert {"fct_daily_costs:budget_alerts",
            "fct_daily_costs:cost_allocation_adds_up_fct_daily_costs_"} <= checks
    assert {job.name for job in defs.jobs} == {"ingest_landed_files", "attribution_job", "transcripts_job",
                                               "transcript_analysis_job", "download_requests_job",
                                               "download_counts_job", "cost_job", "insights_job",
                                               "privacy_requests_job", "audit_heads_job", "retention_job"}
    assert {s.name for s in defs.sensors} == {"landing_sensor", "tenant_partitions_sensor",
                                              "transcript_landing_sensor", "download_landing_sensor",
                                              "download_recount_sensor", "privacy_requests_sensor"}
    # The delivered-ad counts are upstream of the spend, and the nightly job counts before it attributes.
    assert dg.AssetKey("download_counts") in graph.get(dg.AssetKey("fct_daily_spend")).parent_keys
    nightly = defs.resolve_job_def("attribution_job")
    assert {"download_counts", "fct_daily_spend"} <= {k.to_user_string()
                                                      for k in nightly.asset_layer.executable_asset_keys}
    # Households match before attribution reads their touches, and lift is measured after it.
    assert {"household_matches", "campaign_lift"} <= {k.to_user_string()
                                                      for k in nightly.asset_layer.executable_asset_keys}
    assert dg.AssetKey("download_counts") in graph.get(dg.AssetKey("household_matches")).parent_keys
    assert dg.AssetKey("household_matches") in graph.get(dg.AssetKey("fct_touch_credits")).parent_keys
    assert {s.name for s in defs.schedules} == {"attribution_schedule", "transcript_analysis_schedule",
                                                "cost_schedule", "insights_schedule", "audit_heads_schedule",
                                                "retention_schedule"}
    # The audit-chain heads leave the database daily; retention runs after the cost job.
    heads = defs.resolve_schedule_def("audit_heads_schedule")
    assert (heads.cron_schedule, heads.execution_timezone, heads.job_name) == ("15 0 * * *", "UTC",
                                                                              "audit_heads_job")
    retention = defs.resolve_schedule_def("retention_schedule")
    assert (retention.cron_schedule, retention.job_name) == ("30 4 * * *", "retention_job")
    # Insights run after attribution built the marts (02:00) and before the cost job charges them (04:00),
    # on the day before the tick, as one run of the four assets.
    insights = defs.resolve_schedule_def("insights_schedule")
    assert (insights.cron_schedule, insights.execution_timezone, insights.job_name) == (
        "0 3 * * *", "UTC", "insights_job")
    assert {k.to_user_string() for k in defs.resolve_job_def("insights_job").asset_layer.executable_asset_keys
            } == {"metric_anomalies", "metric_forecasts", "campaign_predictions", "recommendations"}
    # The cost marts are the cost job's, after the ledger; the nightly attribution run builds none of them.
    assert "fct_daily_costs" not in {k.to_user_string() for k in nightly.asset_layer.executable_asset_keys}
    costs = defs.resolve_job_def("cost_job").asset_layer.executable_asset_keys
    assert {k.to_user_string() for k in costs} == {"cost_usage", "fct_daily_costs", "fct_cost_drivers"}
    assert dg.AssetKey("cost_usage") in graph.get(dg.AssetKey("fct_daily_costs")).parent_keys
    cost_schedule = defs.resolve_schedule_def("cost_schedule")
    assert (cost_schedule.cron_schedule, cost_schedule.job_name) == ("0 4 * * *", "cost_job")
    analysis = defs.resolve_schedule_def("transcript_analysis_schedule")
    assert (analysis.cron_schedule, analysis.execution_timezone, analysis.job_name) == (
        "30 2 * * *", "UTC", "transcript_analysis_job")
    schedule = defs.resolve_schedule_def("attribution_schedule")
    assert (schedule.cron_schedule, schedule.execution_timezone, schedule.job_name) == (
        "0 2 * * *", "UTC", "attribution_job")
    job = defs.resolve_job_def("attribution_job")
    assert job.partitions_def.get_first_partition_window().start.date().isoformat() == "2020-01-01"
    assert set(defs.resources) == {"database", "dbt"}
    dg.Definitions.validate_loadable(defs)


def test_earmark_ui_names_the_code_location_as_the_workspace_does():
    """Schedules and run history are kept per code location name: the UI and docker-compose must agree."""
    import yaml

    from pipelines.cli import WORKSPACE_YAML

    assert yaml.safe_load(WORKSPACE_YAML) == yaml.safe_load((PROJECT_ROOT / "workspace.yaml").read_text())
    assert yaml.safe_load(WORKSPACE_YAML)["load_from"][0]["python_module"]["location_name"] == "earmark"


def test_docker_compose_records_ranged_runs_as_earmark_does():
    import yaml

    from earmark.orchestration import DAGSTER_RANGE_EVENTS

    compose = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
    for name in ("dagster-webserver", "dagster-daemon"):
        environment = compose["services"][name]["environment"]
        assert {key: environment[key] for key in DAGSTER_RANGE_EVENTS} == DAGSTER_RANGE_EVENTS, name
