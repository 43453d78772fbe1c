"""`earmark households lists import|show`: the carrier / carrier-grade NAT list household matching uses."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console

console = Console(highlight=False, soft_wrap=True)

app = typer.Typer(help="Households: delivered ads matched to site visits, listener signals and lift.",
                  no_args_is_help=True)
lists = typer.Typer(help="The carrier / carrier-grade NAT CIDR list (addresses many households share).",
                    no_args_is_help=True)
app.add_typer(lists, name="lists")


@lists.command("import")
def import_lists(
    carrier_cidrs: Path = typer.Option(..., "--carrier-cidrs", help="One CIDR per line, '#' comments."),
    as_json: bool = typer.Option(False, "--json", help="Print the new active version as JSON."),
) -> None:
    """Load the carrier list as a new active version (a malformed line refuses the file; nothing changes).
    The next household matching run judges every stored address under it."""
    from earmark import db
    from earmark.households import carriers
    from earmark.migrate import require_current_schema

    require_current_schema()
    with db.connect("transformer") as conn:
        loaded = carriers.import_list(conn, carrier_cidrs)
    _print(loaded.as_json(), as_json, "imported")


@lists.command("show")
def show(as_json: bool = typer.Option(False, "--json", help="Print the active version as JSON.")) -> None:
    """The active version: its number, content hash, source, time and networks."""
    from earmark import db
    from earmark.households import carriers
    from earmark.migrate import require_current_schema

    require_current_schema()
    with db.connect("transformer") as conn:
        active = carriers.active(conn)
    _print(active.as_json(), as_json, "active")


def _print(data: dict, as_json: bool, verb: str) -> None:
    if as_json:
        print(json.dumps(data))
        return
    console.print(f"{verb} carrier list version {data['version']} (loaded {data['loaded_at']}): "
                  f"{data['carrier_cidrs']} networks from {data['source']} (sha256 {data['sha256'][:16]}…)")
    for network in data["networks"][:20]:
        console.print(f"  {network}")
    if len(data["networks"]) > 20:
        console.print(f"  … and {len(data['networks']) - 20} more (--json lists them all)")
