"""`earmark audit verify` and `earmark privacy request|status|export`: the audit chain and data-subject
requests (`earmark privacy process`, which runs the Dagster job now, comes from the pipelines plugin)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from earmark import db, tenancy
from earmark.errors import EarmarkError
from earmark.migrate import require_current_schema
from earmark.privacy import audit, requests
from earmark.settings import get_settings
from earmark.sqlfiles import load

audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
privacy_app = typer.Typer(help="Data-subject requests: access, rectification, erasure (GDPR).",
                          no_args_is_help=True)
console = Console(highlight=False, soft_wrap=True)


def _tenant_id(conn, tenant: str) -> str:
    if tenant.lower() == "platform":
        return str(audit.PLATFORM)
    return str(tenancy.get_tenant(conn, tenant).id)


@audit_app.command()
def verify(
    tenant: str = typer.Option(..., "--tenant", help="Tenant id, or 'platform' for the platform's chain."),
    head: Path | None = typer.Option(None, "--head", help="An exported head file (default: the newest "
                                                          "export, if there is one)."),
    as_json: bool = typer.Option(False, "--json", help="Print the verdict as JSON."),
) -> None:
    """Recompute the tenant's hash chain and name the first entry that was changed, removed or inserted."""
    require_current_schema()
    with db.connect("owner") as conn:
        tenant_id = _tenant_id(conn, tenant)
        path = head or audit.newest_export(get_settings().audit_export_folder)
        exported = audit.read_head(path, tenant_id) if path else None
        verdict = audit.verify(conn, tenant_id, exported)
    if as_json:
        print(json.dumps(verdict.as_json()))
    elif verdict.ok:
        against = f", against the head exported in {path.name}" if exported else ""
        console.print(f"[green]ok[/]: {verdict.entries} entries, every hash and link holds{against}")
    else:
        console.print(f"[bold red]broken[/] at entry {verdict.first_bad_seq} of {verdict.entries}: "
                      f"{verdict.reason}")
    if not verdict.ok:
        raise typer.Exit(2)


@audit_app.command("export-heads")
def export_heads(folder: Path | None = typer.Option(
        None, "--folder", help="Where to write (default: EARMARK_AUDIT_EXPORT_DIR).")) -> None:
    """Write every chain's head now (what the daily audit_heads_export asset does)."""
    require_current_schema()
    with db.connect("owner") as conn:
        path = audit.export_heads(conn, folder or get_settings().audit_export_folder)
    console.print(f"exported the audit-chain heads to {path}")


def _row_json(row: dict) -> dict:
    return {"id": str(row["id"]), "type": row["kind"], "phase": row["phase"],
            "status": "completed" if row["phase"] == "completed" else "pending",
            "requested_by": row["requested_by"], "received_at": row["received_at"].isoformat(),
            "due_at": row["due_at"].isoformat(),
            "completed_at": row["completed_at"].isoformat() if row["completed_at"] else None,
            "evidence": row["evidence"], "error": row["error"]}


@privacy_app.command()
def request(
    tenant: str = typer.Option(..., "--tenant", help="Tenant id."),
    kind: str = typer.Option(..., "--type", help="access, erasure or rectification."),
    subject: str = typer.Option(..., "--subject", help="The subject's user id, as the tenant sends it."),
    email: str | None = typer.Option(None, "--email", help="The subject's email, if the tenant has it."),
    new_subject: str | None = typer.Option(None, "--new-subject", help="Rectification: the corrected id."),
    as_json: bool = typer.Option(False, "--json", help="Print the request as JSON."),
) -> None:
    """Record a data-subject request (due in one calendar month); the privacy job carries it out."""
    require_current_schema()
    with db.connect("owner") as conn:
        tenant_id = str(tenancy.get_tenant(conn, tenant).id)
        with db.tenant_transaction(conn, tenant_id):
            row = requests.create(conn, tenant_id, kind, requests.Subject(subject, email, new_subject),
                                  audit.cli_actor())
    if as_json:
        print(json.dumps(_row_json(row)))
        return
    console.print(f"recorded {kind} request {row['id']}, due {row['due_at']:%Y-%m-%d}; "
                  "`earmark privacy process` carries it out now (the privacy sensor does within a minute)")


def _get(conn, tenant_id: str, request_id: str) -> dict:
    from psycopg.rows import dict_row
    try:
        with db.tenant_transaction(conn, tenant_id), conn.cursor(row_factory=dict_row) as cur:
            row = cur.execute(load("earmark.privacy", "requests_get"), {"tenant_id": tenant_id,
                                                                        "id": request_id}).fetchone()
    except Exception as exc:  # psycopg.errors.InvalidTextRepresentation: not a uuid
        raise EarmarkError(f"{request_id!r} is not a request id; `earmark privacy status --tenant ID` lists "
                           "them.") from exc
    if row is None:
        raise EarmarkError(f"The tenant has no privacy request {request_id}.")
    return row


@privacy_app.command()
def status(
    tenant: str = typer.Option(..., "--tenant", help="Tenant id."),
    request_id: str | None = typer.Option(None, "--request", help="One request (default: the 50 newest)."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Where requests stand, with their evidence."""
    require_current_schema()
    from psycopg.rows import dict_row
    with db.connect("owner") as conn:
        tenant_id = str(tenancy.get_tenant(conn, tenant).id)
        if request_id:
            rows = [_get(conn, tenant_id, request_id)]
        else:
            with db.tenant_transaction(conn, tenant_id), conn.cursor(row_factory=dict_row) as cur:
                rows = cur.execute(load("earmark.privacy", "requests_list"),
                                   {"tenant_id": tenant_id, "limit": 50}).fetchall()
    if as_json:
        print(json.dumps([_row_json(r) for r in rows] if not request_id else _row_json(rows[0])))
        return
    table = Table("id", "type", "phase", "received", "due", "error")
    for r in rows:
        table.add_row(str(r["id"]), r["kind"], r["phase"], f"{r['received_at']:%Y-%m-%d %H:%M}",
                      f"{r['due_at']:%Y-%m-%d}", r["error"] or "")
    console.print(table)


@privacy_app.command()
def export(
    tenant: str = typer.Option(..., "--tenant", help="Tenant id."),
    request_id: str = typer.Option(..., "--request", help="The access request."),
    out: Path = typer.Option(..., "--out", help="The JSON file to write."),
) -> None:
    """Take an access request's export (once: it is deleted from Earmark as it is handed over)."""
    require_current_schema()
    with db.connect("owner") as conn:
        tenant_id = str(tenancy.get_tenant(conn, tenant).id)
        row = _get(conn, tenant_id, request_id)
        if row["kind"] != "access":
            raise EarmarkError(f"Request {request_id} is an {row['kind']} request; only access requests "
                               "export.")
        with db.tenant_transaction(conn, tenant_id):
            taken = conn.execute(load("earmark.privacy", "requests_take_export"),
                                 {"tenant_id": tenant_id, "id": request_id}).fetchone()
            if taken is None:
                why = ("was already downloaded" if row["downloaded_at"]
                       else "is not ready yet (`earmark privacy process`)")
                raise EarmarkError(f"The export of request {request_id} {why}.")
            document = requests.open_export(tenant_id, taken[0])
            audit.append(conn, tenant_id, audit.cli_actor(), "data_exported", f"privacy_request:{request_id}",
                         changes={"what": "privacy_access_export", "values": len(document["values"])})
    out.write_text(json.dumps(document, indent=1))
    console.print(f"wrote {len(document['values'])} values to {out}")
