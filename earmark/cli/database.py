"""`earmark db start|stop|status|url` and `earmark migrate`."""

from __future__ import annotations

import typer
from rich.console import Console

from earmark import db, server
from earmark.cli.choices import choices
from earmark.settings import get_settings

UrlRole = choices("UrlRole", tuple(role for role in db.ROLE_NAMES if role != "admin"))

app = typer.Typer(help="The database: the embedded server unless DATABASE_URL names another.",
                  no_args_is_help=True)
console = Console(highlight=False, soft_wrap=True)


@app.command()
def start() -> None:
    """Start the embedded Postgres (initialising it the first time)."""
    settings = get_settings()
    if not settings.uses_embedded_server:
        console.print("DATABASE_URL is set: Earmark uses that server and starts none of its own.")
        return
    state = server.ensure_running(settings)
    console.print(f"embedded Postgres running (pid {state.pid}), data in {state.pgdata}")


@app.command()
def stop() -> None:
    """Stop the embedded Postgres."""
    settings = get_settings()
    stopped = server.stop(settings)
    console.print("embedded Postgres stopped" if stopped else "embedded Postgres was not running")


@app.command()
def status() -> None:
    """Say whether the embedded Postgres runs, and where."""
    settings = get_settings()
    if not settings.uses_embedded_server:
        console.print("using DATABASE_URL (external server)")
        return
    state = server.status(settings)
    if state.running:
        console.print(f"running (pid {state.pid}), data in {state.pgdata}, socket in {state.socket_dir}")
    else:
        console.print(f"not running; data in {state.pgdata}")
        raise typer.Exit(3)


@app.command("url")
def url_(role: UrlRole = typer.Option("owner", help="Whose URL.")) -> None:
    """Print a connection URL (the owner's by default) as the last line, for psql."""
    print(db.url(role.value))  # plain print: the URL must not be wrapped or styled


def migrate() -> None:
    """Create roles and databases, then apply pending SQL migrations (safe to run again)."""
    from earmark.migrate import migrate as run_migrations

    applied = run_migrations()
    console.print(f"applied {', '.join(applied)}" if applied else "database is up to date")
