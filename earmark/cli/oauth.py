"""`earmark oauth clients create|list`: applications that may ask users (or themselves) for tokens."""

from __future__ import annotations

import json

import typer
from psycopg.rows import dict_row
from rich.console import Console
from rich.table import Table

from earmark import db, tenancy
from earmark.identity import oauth
from earmark.migrate import require_current_schema
from earmark.privacy import audit
from earmark.sqlfiles import load

app = typer.Typer(help="The OAuth 2.1 authorization server.", no_args_is_help=True)
clients = typer.Typer(help="Registered OAuth clients of a tenant.", no_args_is_help=True)
app.add_typer(clients, name="clients")
console = Console(highlight=False, soft_wrap=True)


def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@clients.command()
def create(
    tenant: str = typer.Option(..., "--tenant", help="Tenant id the client belongs to."),
    name: str = typer.Option(..., "--name", help="Shown to users on the consent page."),
    redirect_uri: list[str] = typer.Option(
        [], "--redirect-uri", help="Exact callback URI (repeat for more); compared byte for byte."),
    public: bool = typer.Option(False, "--public", help="A browser or native app: PKCE, no secret."),
    scopes: list[str] = typer.Option(None, "--scopes", help="Comma-separated; default attribution:read."),
    grant_types: list[str] = typer.Option(
        None, "--grant-types", help="Comma-separated from authorization_code, refresh_token, "
                                    "client_credentials; default authorization_code,refresh_token."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object with client_id (and "
                                                       "client_secret for a confidential client)."),
) -> None:
    """Register a client; a confidential client's secret is printed once and stored only as a hash."""
    require_current_schema()
    with db.connect("owner") as conn:
        tenant_id = tenancy.get_tenant(conn, tenant).id
        with conn.transaction():
            client, secret = oauth.create_client(conn, tenant_id, name, redirect_uri, public=public,
                                                 scopes=_split(scopes), grant_types=_split(grant_types))
            audit.append(conn, tenant_id, audit.cli_actor(), "oauth_client_created",
                         f"client:{client.client_id}", changes=oauth.audit_changes(client))
    answer = {"client_id": client.client_id, **({"client_secret": secret} if secret else {})}
    if as_json:
        print(json.dumps(answer))
        return
    kind = "public" if public else "confidential"
    console.print(f"created {kind} client {client.name}: {client.client_id}")
    if secret:
        console.print(f"client secret (shown once, store it now): {secret}")


@clients.command()
def revoke(
    client_id: str = typer.Argument(..., help="The client's client_id (from `earmark oauth clients list`)."),
    tenant: str = typer.Option(..., "--tenant", help="Tenant id the client belongs to."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object with client_id."),
) -> None:
    """Revoke a client: it can no longer ask for tokens, and the tokens it holds stop working at once."""
    require_current_schema()
    with db.connect("owner") as conn:
        tenant_id = tenancy.get_tenant(conn, tenant).id
        with conn.transaction():
            client = oauth.revoke_client(conn, tenant_id, client_id)
            audit.append(conn, tenant_id, audit.cli_actor(), "oauth_client_revoked",
                         f"client:{client.client_id}", changes=oauth.audit_changes(client))
    if as_json:
        print(json.dumps({"client_id": client.client_id, "revoked": True}))
        return
    console.print(f"revoked client {client.name}: {client.client_id}")


@clients.command("list")
def list_(tenant: str = typer.Option(..., "--tenant", help="Tenant id.")) -> None:
    """The tenant's live clients."""
    require_current_schema()
    with db.connect("owner") as conn, conn.cursor(row_factory=dict_row) as cur:
        tenant_id = tenancy.get_tenant(conn, tenant).id
        found = cur.execute(load("earmark.identity", "oauth_clients_list"),
                            {"tenant_id": tenant_id}).fetchall()
    table = Table("client_id", "name", "type", "grant types", "scopes", "redirect URIs")
    for row in found:
        kind = "public" if row["secret_hash"] is None else "confidential"
        table.add_row(row["client_id"], row["name"], kind, ",".join(row["grant_types"]),
                      ",".join(row["scopes"]), " ".join(row["redirect_uris"]))
    console.print(table)
