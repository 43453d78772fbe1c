"""`earmark lift`: a campaign's lift in visits and conversions, computed now from the tenant's data."""

from __future__ import annotations

import json

import typer
from rich.console import Console

from earmark import db, tenancy
from earmark.errors import EarmarkError
from earmark.migrate import require_current_schema

console = Console(highlight=False, soft_wrap=True)


def lift(
    tenant: str = typer.Option(..., "--tenant", help="Tenant id."),
    campaign: str = typer.Option(..., "--campaign", help="The campaign's id in the catalog."),
    as_json: bool = typer.Option(False, "--json", help="Print both metrics' figures as JSON."),
) -> None:
    """Exposed households against control households of the same shows and weeks: lift with a bootstrap
    95 % interval, the group sizes and the minimum detectable lift."""
    from earmark.households import lift_runs

    require_current_schema()
    with db.connect("owner") as conn:
        tenant_id = str(tenancy.get_tenant(conn, tenant).id)
    found = lift_runs.tenant_lifts(tenant_id, campaign).get(campaign) or {}
    if not found:
        raise EarmarkError(
            f"Campaign {campaign!r} has no delivered ads Earmark counted, so it has no exposed "
            "households to compare; check the id, its ad slots and the request logs."
        )
    if as_json:
        print(
            json.dumps({"campaign_id": campaign, **{m: r.as_json() for m, r in found.items()}}, default=str)
        )
        return
    for metric, result in found.items():
        console.print(f"[bold]{metric}[/]: {result.statement}")
