"""The `earmark` command: one Typer app, a sub-app per domain, one sentence per user error.

Sub-command modules, here and in the runtimes' plugins, import heavy libraries (dagster, dbt,
polars) inside their functions so that `earmark --help` and `earmark db url` stay fast.
"""

from __future__ import annotations

import sys
from importlib.metadata import entry_points

import typer
from pydantic import ValidationError
from rich.console import Console

from earmark.cli import (
    ad_reads,
    ai,
    attribution,
    bench,
    catalog,
    cost,
    database,
    download_lists,
    downloads,
    economics,
    failures,
    households,
    insights,
    keys,
    lift,
    oauth,
    privacy,
    serving,
    tenants,
    users,
)
from earmark.errors import EarmarkError

app = typer.Typer(
    name="earmark",
    help="Earmark: multi-tenant attribution for podcast advertising.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(database.app, name="db")
app.command("migrate")(database.migrate)
app.add_typer(tenants.app, name="tenants")
app.add_typer(keys.app, name="keys")
app.add_typer(users.app, name="users")
app.add_typer(oauth.app, name="oauth")
app.add_typer(catalog.app, name="catalog")
app.add_typer(attribution.app, name="attribution")
download_lists.register(downloads.lists_app)
app.add_typer(economics.app, name="economics")
app.add_typer(cost.app, name="cost")
app.add_typer(downloads.app, name="downloads")
app.add_typer(households.app, name="households")
ai.app.command("ad-reads")(ad_reads.ad_reads)
app.add_typer(ai.app, name="ai")
app.add_typer(insights.metrics_app, name="metrics")
app.add_typer(insights.anomalies_app, name="anomalies")
app.command("forecast")(insights.forecast)
app.command("lift")(lift.lift)
app.add_typer(privacy.audit_app, name="audit")
app.add_typer(privacy.privacy_app, name="privacy")
app.add_typer(bench.app, name="bench")
app.command("serve")(serving.serve)
# The runtimes add their own commands (`earmark run`, `earmark ingest`, ...) through the
# "earmark.cli" entry point, so the core never imports them.
for plugin in entry_points(group="earmark.cli"):
    plugin.load()(app)

errors = Console(stderr=True, highlight=False, soft_wrap=True)


def main() -> None:
    try:
        failures.install_logging()
        app()
    except EarmarkError as exc:
        errors.print(f"[bold red]error:[/] {exc}")
        sys.exit(1)
    except ValidationError as exc:  # the settings (environment) refused: their own sentences
        errors.print(f"[bold red]error:[/] {failures.settings_sentence(exc)}")
        sys.exit(1)
    except Exception as exc:  # anything else: one sentence here, the trace in a log file
        errors.print(f"[bold red]error:[/] {failures.explain(exc)}")
        sys.exit(1)
