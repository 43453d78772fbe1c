"""The households steps of `earmark run` and `earmark demo`: matching before attribution (which reads the
touches it makes), lift after it, and the demo's lines about both."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from rich.console import Console

from earmark import db
from earmark.sqlfiles import load
from pipelines import runner

if TYPE_CHECKING:
    from pipelines.operations import RunSummary


def _step(step, status: str, label: str, tenant_id: str | None, summary: RunSummary,
          console: Console) -> dict | None:
    """Run one households asset for today's partition; its metadata, or None with the failure reported."""
    with console.status(status):
        result = step(datetime.now(UTC).date().isoformat(), tenant_id)
    if not result.success:
        summary.failed.append(result.error)
        console.print(f"[red]{label} failed:[/] {result.error}")
        return None
    return result.metadata


def match(tenant_id: str | None, summary: RunSummary, console: Console) -> None:
    """Household matching and listener signals before attribution, which reads the touches they make."""
    found = _step(runner.match_households, "matching delivered ads to site visits by household",
                  "household matching", tenant_id, summary, console)
    if found is None:
        return
    summary.households = found
    if found.get("exposures"):
        console.print(f"households: {found['matched_exposures']:,} of {found['exposures']:,} delivered ads "
                      f"matched to a visit, {found['matched_visitors']:,} of {found['pixel_visitors']:,} "
                      "pixel visitors matched")


def measure_lift(tenant_id: str | None, summary: RunSummary, console: Console) -> None:
    found = _step(runner.measure_lift, "measuring each campaign's lift", "lift", tenant_id, summary, console)
    if found is not None:
        summary.lift = found


def print_lift(tenant_ids: list[str], console: Console) -> None:
    """Per tenant with household results: each campaign's match rate and its newest visit lift."""
    with db.connect("transformer") as conn:
        names = dict(conn.execute("select id::text, name from app.tenants where id = any(%(ids)s::uuid[])",
                                  {"ids": tenant_ids}).fetchall())
        found = {}
        for tenant_id in tenant_ids:
            with db.tenant_transaction(conn, tenant_id):
                found[tenant_id] = conn.execute(load("pipelines", "demo_lift"),
                                                {"tenant_id": tenant_id}).fetchall()
    for tenant_id, campaigns in found.items():
        if not campaigns:
            continue
        console.print(f"Households and lift of {names.get(tenant_id, tenant_id)} "
                      f"(top {len(campaigns)} campaigns by delivered ads):")
        for campaign_id, exposures, matched, result in campaigns:
            rate = f"match rate {matched / exposures:.1%}".replace("%", " %")
            console.print(f"  campaign {campaign_id}: {rate} ({matched:,} of {exposures:,} delivered ads), "
                          f"{_lift_text(result)}")
    if any(found.values()):
        console.print("match rate = delivered ads whose household visited the site within the matching "
                      "window; lift = exposed households' visit rate against control households of the same "
                      "shows and weeks (the API's /lift/campaigns/{id} has both metrics).")


def _lift_text(result: dict | None) -> str:
    if not result:
        return "no lift yet"
    if result.get("significant") and result.get("lift") is not None:
        low, high = result.get("ci_low"), result.get("ci_high")

        def pct(x):
            return "unbounded" if x is None else f"{x:+.0%}".replace("%", " %")

        return f"visit lift {pct(result['lift'])} (95 % CI {pct(low)} to {pct(high)})"
    return result.get("statement") or "no lift"
