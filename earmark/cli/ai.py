"""`earmark ai ...`: a tenant's AI providers (order, keys) and what its analyses used.

A key is read from a hidden prompt or from stdin, never from the command line (argv shows in `ps` and in
shell history), and is never printed: `providers show` says only where each key comes from.
"""

from __future__ import annotations

import json
import sys
from uuid import UUID

import typer
from rich.console import Console
from rich.table import Column, Table

from earmark import db, tenancy
from earmark.ai.providers import keys, order, prices, usage
from earmark.ai.providers.local import NAME as LOCAL
from earmark.ai.providers.router import model_for
from earmark.cli.choices import choices
from earmark.migrate import require_current_schema
from earmark.settings import Settings, get_settings

KeyedProvider = choices("KeyedProvider", keys.KEYED_PROVIDERS)
app = typer.Typer(help="AI analysis: provider order, provider keys and usage.", no_args_is_help=True)
providers_app = typer.Typer(help="The order in which a tenant's analyses try providers.",
                            no_args_is_help=True)
keys_app = typer.Typer(help="A tenant's own provider keys, sealed at rest.", no_args_is_help=True)
app.add_typer(providers_app, name="providers")
app.add_typer(keys_app, name="keys")
console = Console(highlight=False, soft_wrap=True)

TENANT = typer.Option(..., "--tenant", help="Tenant id.")
AS_JSON = typer.Option(False, "--json", help="Print JSON.")


def _tenant_id(conn, tenant: str) -> UUID:
    return tenancy.get_tenant(conn, tenant).id


def _key_source(conn, tenant_id: UUID, name: str, settings: Settings) -> str | None:
    """Where the provider's key comes from (tenant, environment), None without one; never the key."""
    if name == LOCAL:
        return "not needed"
    try:
        found = keys.resolve(conn, tenant_id, name, settings)
    except keys.ProviderKeyError:
        return "unreadable"
    return found.source if found else None


def _providers(conn, tenant_id: UUID, settings: Settings) -> dict:
    with db.tenant_transaction(conn, tenant_id):
        effective = order.effective(conn, tenant_id, settings)
        listed = [{"name": name, "model": model_for(name, settings),
                   "position": effective.providers.index(name) + 1 if name in effective.providers else None,
                   "key": _key_source(conn, tenant_id, name, settings)} for name in order.PROVIDERS]
    return {"tenant_id": str(tenant_id), "order": list(effective.providers), "source": effective.source,
            "providers": listed}


def _print_providers(data: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(data))
        return
    console.print(f"order ({data['source']}): {' > '.join(data['order'])}")
    table = Table("provider", "model", "position", "key")
    for row in data["providers"]:
        table.add_row(row["name"], row["model"], str(row["position"] or "not used"), row["key"] or "none")
    console.print(table)


@providers_app.command("show")
def providers_show(tenant: str = TENANT, as_json: bool = AS_JSON) -> None:
    """The provider order in effect and, per provider, its model and where its key comes from."""
    require_current_schema()
    with db.connect("owner") as conn:
        data = _providers(conn, _tenant_id(conn, tenant), get_settings())
    _print_providers(data, as_json)


@providers_app.command("set")
def providers_set(
    tenant: str = TENANT,
    order_: str | None = typer.Option(None, "--order", help="Comma-separated, e.g. openai,anthropic,local."),
    platform_default: bool = typer.Option(False, "--platform-default",
                                          help="Follow the platform's order (EARMARK_AI_PROVIDERS) again."),
    as_json: bool = AS_JSON,
) -> None:
    """Set the order in which the tenant's analyses try providers (local always ends it)."""
    if (order_ is None) != platform_default:
        raise order.OrderError("Give exactly one of --order NAMES or --platform-default.")
    chosen = None if platform_default else order.parse(order_)
    require_current_schema()
    with db.connect("owner") as conn:
        tenant_id = _tenant_id(conn, tenant)
        with db.tenant_transaction(conn, tenant_id):
            order.set_for_tenant(conn, tenant_id, chosen)
        data = _providers(conn, tenant_id, get_settings())
    _print_providers(data, as_json)


def _read_key(provider: str) -> str:
    if sys.stdin.isatty():
        return typer.prompt(f"{provider} API key", hide_input=True)
    return sys.stdin.readline()


@keys_app.command("set")
def keys_set(tenant: str = TENANT,
             provider: KeyedProvider = typer.Option(..., "--provider", help="Whose key this is.")) -> None:
    """Store the tenant's own key for a provider, sealed (read from a hidden prompt or stdin)."""
    require_current_schema()
    with db.connect("owner") as conn:
        tenant_id = _tenant_id(conn, tenant)
        key = _read_key(provider.value)
        with db.tenant_transaction(conn, tenant_id):
            keys.set_key(conn, tenant_id, provider.value, key, get_settings())
    console.print(f"stored tenant {tenant_id}'s {provider.value} key (sealed); its analyses now use it")


@keys_app.command("delete")
def keys_delete(tenant: str = TENANT,
                provider: KeyedProvider = typer.Option(..., "--provider", help="Whose key it is.")) -> None:
    """Delete the tenant's own key; its analyses fall back to the platform's key, if there is one."""
    require_current_schema()
    with db.connect("owner") as conn:
        tenant_id = _tenant_id(conn, tenant)
        with db.tenant_transaction(conn, tenant_id):
            deleted = keys.delete_key(conn, tenant_id, provider.value)
    console.print(f"deleted tenant {tenant_id}'s {provider.value} key" if deleted
                  else f"tenant {tenant_id} had no {provider.value} key of its own; nothing deleted")


@app.command("usage")
def usage_totals(tenant: str = TENANT, as_json: bool = AS_JSON) -> None:
    """Per provider, model and whose key paid (the tenant's or the platform's): calls, answers, cache hits,
    tokens in and out, and cost in USD."""
    require_current_schema()
    settings = get_settings()
    read_on = prices.price_table(settings).read_on.isoformat()
    with db.connect("owner") as conn:
        tenant_id = _tenant_id(conn, tenant)
        with db.tenant_transaction(conn, tenant_id):
            rows = usage.totals(conn, tenant_id)
    # Decimal as a string: JSON numbers would round a cost of fractions of a cent.
    totals = [{**row, "cost_usd": str(row["cost_usd"])} for row in rows]
    if as_json:
        print(json.dumps({"tenant_id": str(tenant_id), "prices_read_on": read_on, "totals": totals}))
        return
    # Whose key paid and the cost never wrap or shorten: a narrow terminal squeezes the other columns.
    table = Table("provider", "model", Column("key", no_wrap=True, min_width=8), "calls", "answered",
                  "cached", "tokens in", "tokens out", Column("cost (USD)", no_wrap=True, min_width=12))
    for row in totals:
        unpriced = f" (+{row['unpriced_calls']} unpriced)" if row["unpriced_calls"] else ""
        counts = [str(row[name]) for name in ("calls", "answered", "cached", "tokens_in", "tokens_out")]
        # No key source: rows no key paid for (the local analyzer, cache hits, skipped providers).
        table.add_row(row["provider"], row["model"], row["key_source"] or "none", *counts,
                      row["cost_usd"] + unpriced)
    console.print(table)
