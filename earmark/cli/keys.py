"""`earmark keys create|list|revoke`: API keys, shown once and stored only as an HMAC."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time

import typer
from rich.console import Console
from rich.table import Table

from earmark import db, keys, tenancy
from earmark.migrate import require_current_schema
from earmark.privacy import audit

app = typer.Typer(help="API keys for dashboards and scripts.", no_args_is_help=True)
console = Console(highlight=False, soft_wrap=True)


def _expiry(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        if len(value) == 10:
            # A plain date means the key works through that whole day (UTC).
            return datetime.combine(date.fromisoformat(value), time(23, 59, 59), UTC)
        return datetime.fromisoformat(value)
    except ValueError:
        raise keys.KeyRequestError(
            f"--expires {value!r} is not a date; use YYYY-MM-DD or an ISO timestamp with a zone."
        ) from None


def _audit(conn, key: keys.ApiKey, verb: str) -> None:
    """The key's audit entry, in the transaction that made or revoked it: a tenant key's goes to the
    tenant's chain, a platform key's to the platform chain."""
    if key.tenant_id is None:
        audit.append(conn, audit.PLATFORM, audit.cli_actor(), f"platform_key_{verb}", f"key:{key.id}",
                     changes=keys.audit_changes(key))
    else:
        audit.append(conn, key.tenant_id, audit.cli_actor(), f"key_{verb}", f"key:{key.id}",
                     changes=keys.audit_changes(key))


@app.command()
def create(
    tenant: str | None = typer.Option(None, "--tenant", help="Tenant id the key reads."),
    platform: bool = typer.Option(False, "--platform", help="A platform key (tenants:admin, no tenant)."),
    scopes: str | None = typer.Option(
        None, "--scopes", help="Comma-separated: attribution:read, settings:write, keys:admin."),
    expires: str | None = typer.Option(None, "--expires", help="Last valid day (YYYY-MM-DD) or timestamp."),
    name: str = typer.Option("", "--name", help="A label to recognise the key by."),
    test_mode: bool = typer.Option(False, "--test", help="Mint an ek_test_ key instead of ek_live_."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object with id and key."),
) -> None:
    """Mint a key; its secret is printed once and cannot be shown again."""
    if platform == (tenant is not None):
        raise keys.KeyRequestError("Give exactly one of --tenant ID or --platform.")
    require_current_schema()
    with db.connect("owner") as conn:
        tenant_id = tenancy.get_tenant(conn, tenant).id if tenant else None
        with conn.transaction():
            key, secret = keys.create(
                conn, tenant_id=tenant_id, scopes=scopes.split(",") if scopes else None,
                expires_at=_expiry(expires), name=name, mode="test" if test_mode else "live")
            _audit(conn, key, "created")
    if as_json:
        print(json.dumps({**key.as_json(), "key": secret}))
        return
    console.print(f"created key {key.id} ({', '.join(key.scopes)})")
    console.print(f"[bold]{secret}[/]")
    console.print("Store it now: Earmark keeps only a hash and cannot show it again.")


@app.command("list")
def list_(
    tenant: str | None = typer.Option(None, "--tenant", help="Tenant id."),
    platform: bool = typer.Option(False, "--platform", help="List platform keys instead."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array."),
) -> None:
    """List a tenant's keys (prefix, scopes, expiry, last use); never the secrets."""
    if platform == (tenant is not None):
        raise keys.KeyRequestError("Give exactly one of --tenant ID or --platform.")
    require_current_schema()
    with db.connect("owner") as conn:
        found = keys.list_platform(conn) if platform else keys.list_for_tenant(
            conn, tenancy.get_tenant(conn, tenant).id)
    if as_json:
        print(json.dumps([k.as_json() for k in found]))
        return
    table = Table("id", "prefix", "name", "scopes", "expires", "last used", "revoked")
    for k in found:
        table.add_row(str(k.id), k.prefix, k.name, ",".join(k.scopes),
                      f"{k.expires_at:%Y-%m-%d}" if k.expires_at else "",
                      f"{k.last_used_at:%Y-%m-%d %H:%M}" if k.last_used_at else "",
                      f"{k.revoked_at:%Y-%m-%d %H:%M}" if k.revoked_at else "")
    console.print(table)


@app.command()
def revoke(key_id: str = typer.Argument(..., help="Key id (from `earmark keys list`)."),
           as_json: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
    """Revoke a key; the API refuses it within 60 seconds."""
    require_current_schema()
    with db.connect("owner") as conn, conn.transaction():
        key = keys.revoke(conn, key_id)
        _audit(conn, key, "revoked")
    if as_json:
        print(json.dumps(key.as_json()))
    else:
        console.print(f"revoked key {key.id} ({key.prefix}) at {key.revoked_at:%Y-%m-%d %H:%M:%S %Z}")
