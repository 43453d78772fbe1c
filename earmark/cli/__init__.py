"""The `earmark` command: one Typer app, a sub-app per domain, one sentence per user error.

Sub-command modules import heavy libraries (dagster, dbt, polars) inside their functions so that
`earmark --help` and `earmark db url` stay fast.
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from earmark.cli import database, pipeline, tenants
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
pipeline.register(app)

errors = Console(stderr=True, highlight=False, soft_wrap=True)


def main() -> None:
    try:
        app()
    except EarmarkError as exc:
        errors.print(f"[bold red]error:[/] {exc}")
        sys.exit(1)
