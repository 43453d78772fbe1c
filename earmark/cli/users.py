"""`earmark users create|list|disable`: the people of a tenant, for the platform operator."""

from __future__ import annotations

import json
import sys

import typer
from rich.console import Console
from rich.table import Table

from earmark import db, tenancy
from earmark.identity import users
from earmark.migrate import require_current_schema
from earmark.privacy import audit

app = typer.Typer(help="Users who sign in to a tenant, and their roles.", no_args_is_help=True)
console = Console(highlight=False, soft_wrap=True)


@app.command()
def create(
    tenant: str = typer.Option(..., "--tenant", help="Tenant id the user belongs to."),
    email: str = typer.Option(..., "--email", help="Unique within the tenant, ignoring case."),
    role: str = typer.Option(..., "--role", help="owner, admin, analyst or viewer."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input, never the command line."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object with id, email and role."),
) -> None:
    """Create an active user; the password is hashed with argon2id and never stored or shown."""
    if not password_stdin:
        raise users.UserError("Pass the password on standard input with --password-stdin "
                              "(a password on the command line ends up in the shell's history).")
    password = sys.stdin.readline().rstrip("\r\n")
    require_current_schema()
    with db.connect("owner") as conn:
        tenant_id = tenancy.get_tenant(conn, tenant).id
        with conn.transaction():
            user = users.create_user(conn, tenant_id, email, role, password)
            audit.append(conn, user.tenant_id, audit.cli_actor(), "user_created", f"user:{user.id}",
                         changes=users.audit_created(user))
    if as_json:
        print(json.dumps({"id": str(user.id), "email": user.email, "role": user.role}))
        return
    console.print(f"created {user.role} {user.email} ({user.id})")


@app.command("list")
def list_(
    tenant: str = typer.Option(..., "--tenant", help="Tenant id."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array."),
) -> None:
    """The tenant's users, by email."""
    require_current_schema()
    with db.connect("owner") as conn:
        found = users.list_users(conn, tenancy.get_tenant(conn, tenant).id)
    if as_json:
        print(json.dumps([u.as_json() for u in found]))
        return
    table = Table("id", "email", "role", "status", "created", "last sign-in")
    for u in found:
        table.add_row(str(u.id), u.email, u.role, u.status, f"{u.created_at:%Y-%m-%d %H:%M}",
                      f"{u.last_login_at:%Y-%m-%d %H:%M}" if u.last_login_at else "")
    console.print(table)


@app.command()
def disable(
    user_id: str = typer.Argument(..., help="The user's id (from `earmark users list`)."),
    as_json: bool = typer.Option(False, "--json", help="Print the user as JSON."),
) -> None:
    """Disable a user: they can no longer sign in. `earmark users list` still shows them."""
    require_current_schema()
    with db.connect("owner") as conn, conn.transaction():
        before = users.get_user(conn, user_id)
        user = users.update_user(conn, before, status="disabled")
        for action, changes in users.audit_updates(before, user):
            audit.append(conn, user.tenant_id, audit.cli_actor(), action, f"user:{user.id}", changes=changes)
    if as_json:
        print(json.dumps(user.as_json()))
        return
    console.print(f"disabled {user.email} ({user.id})")
