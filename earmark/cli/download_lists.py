"""`earmark downloads lists import|show`: the bot user-agent and data-centre CIDR lists counting uses."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console

console = Console(highlight=False, soft_wrap=True)


def import_lists(
    bot_user_agents: Path = typer.Option(..., "--bot-user-agents", help="match<TAB>pattern<TAB>note lines."),
    datacenter_cidrs: Path = typer.Option(..., "--datacenter-cidrs", help="One CIDR per line."),
    as_json: bool = typer.Option(False, "--json", help="Print the new active version as JSON."),
) -> None:
    """Load both lists as a new active version (a malformed line refuses both; nothing changes). The next
    count (`earmark run`, the nightly job or the recount sensor) recounts every day under it."""
    from earmark import db
    from earmark.downloads.lists import store
    from earmark.migrate import require_current_schema

    require_current_schema()
    with db.connect("transformer") as conn:
        loaded = store.import_lists(conn, bot_user_agents, datacenter_cidrs)
    _print(loaded.as_json(), as_json, "imported")


def show(as_json: bool = typer.Option(False, "--json", help="Print the active version as JSON.")) -> None:
    """The active version: its number, content hashes, sources, time and sizes."""
    from earmark import db
    from earmark.downloads.lists import store
    from earmark.migrate import require_current_schema
    from earmark.settings import get_settings

    require_current_schema()
    with db.connect("transformer") as conn:
        active = store.active(conn)
    _print({**active.as_json(), "ip_spike_threshold": get_settings().ip_spike_threshold}, as_json, "active")


def _print(data: dict, as_json: bool, verb: str) -> None:
    if as_json:
        print(json.dumps(data))
        return
    console.print(f"{verb} list version {data['version']} (loaded {data['loaded_at']}):")
    console.print(f"  bot user agents: {data['bot_patterns']} patterns from {data['bots_source']} "
                  f"(sha256 {data['bots_sha256'][:16]}…)")
    console.print(f"  data-centre CIDRs: {data['datacenter_cidrs']} networks from {data['cidrs_source']} "
                  f"(sha256 {data['cidrs_sha256'][:16]}…)")
    if "ip_spike_threshold" in data:
        console.print(f"  ip spike threshold: {data['ip_spike_threshold']} (EARMARK_IP_SPIKE_THRESHOLD)")


def register(lists_app: typer.Typer) -> None:
    lists_app.command("import")(import_lists)
    lists_app.command("show")(show)
