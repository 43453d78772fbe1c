"""`earmark tenants create|list|show`.

A tenant's creation is an entry of the platform's audit chain (earmark.privacy.audit.PLATFORM), as its
later status and tier changes are (api.routers.tenants): the platform did them, and a deleted tenant's
history stays with the platform.
"""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from earmark import db, tenancy
from earmark.cli.choices import choices
from earmark.migrate import require_current_schema
from earmark.privacy import audit

Tier = choices("Tier", tenancy.TIERS)
app = typer.Typer(help="Tenants: advertisers, agencies and networks.", no_args_is_help=True)
console = Console(highlight=False, soft_wrap=True)


@app.command()
def create(
    name: str = typer.Option(..., "--name", help="Unique tenant name."),
    tier: Tier = typer.Option(tenancy.DEFAULT_TIER, "--tier", help="Subscription tier (earmark/tiers.toml)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Create a tenant with default attribution settings."""
    require_current_schema()
    with db.connect("owner") as conn, conn.transaction():
        tenant = tenancy.create_tenant(conn, name, tier.value)
        audit.append(conn, audit.PLATFORM, audit.cli_actor(), "tenant_created", f"tenant:{tenant.id}",
                     changes=tenancy.audit_created(tenant))
    if as_json:
        print(json.dumps(tenant.as_json()))
    else:
        console.print(f"created tenant {tenant.name} ({tenant.tier}): {tenant.id}")


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="Print a JSON array.")) -> None:
    """List every tenant."""
    require_current_schema()
    with db.connect("owner") as conn:
        found = tenancy.list_tenants(conn)
    if as_json:
        print(json.dumps([t.as_json() for t in found]))
        return
    table = Table("id", "name", "tier", "status", "created")
    for t in found:
        table.add_row(str(t.id), t.name, t.tier, t.status, f"{t.created_at:%Y-%m-%d %H:%M}")
    console.print(table)


@app.command()
def show(tenant_id: str = typer.Argument(..., help="Tenant id."),
         as_json: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
    """Show a tenant, its settings, its tier's quotas and this month's usage."""
    require_current_schema()
    with db.connect("owner") as conn:
        tenant = tenancy.get_tenant(conn, tenant_id)
        settings = tenancy.get_settings(conn, tenant.id)
        used = tenancy.usage(conn, tenant.id)
    limits = tenancy.tier_limits()[tenant.tier]
    data = {
        **tenant.as_json(),
        "settings": {k: v for k, v in vars(settings).items() if k != "tenant_id"},
        "quotas": vars(limits),
        "usage": used,
    }
    if as_json:
        print(json.dumps(data))
        return
    for key, value in data.items():
        console.print(f"[bold]{key}[/]: {value}")
