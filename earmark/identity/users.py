"""Users of a tenant: create, list, change role or status. Passwords arrive here only to be hashed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import psycopg
from psycopg.rows import class_row

from earmark.errors import EarmarkError
from earmark.identity import passwords, roles
from earmark.sqlfiles import load

STATUSES = ("active", "disabled")


class UserError(EarmarkError, ValueError):
    """A user request that cannot be done; the message says what to do instead."""


@dataclass(frozen=True)
class User:
    tenant_id: UUID
    id: UUID
    email: str
    role: str
    status: str
    created_at: datetime
    last_login_at: datetime | None

    def as_json(self) -> dict:
        return {"id": str(self.id), "tenant_id": str(self.tenant_id), "email": self.email, "role": self.role,
                "status": self.status, "created_at": self.created_at.isoformat(),
                "last_login_at": self.last_login_at.isoformat() if self.last_login_at else None}


def normalise_email(email: str) -> str:
    """Trimmed, with the domain lower-cased (domains are case-insensitive; the local part is kept as
    typed, and compared case-insensitively by the unique index)."""
    email = email.strip()
    local, at, domain = email.rpartition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in email) or len(email) > 254:
        raise UserError(f"{email!r} is not an email address; use the form name@example.com.")
    return f"{local}@{domain.lower()}"


def new_user(tenant_id: UUID | str, email: str, role: str, password: str, actor_role: str) -> dict:
    """The parameters of users_insert.sql for a user `actor_role` may create: the one rule for the CLI
    and the API (the password is checked and hashed here, argon2id: call it off an event loop)."""
    roles.check_grant(actor_role, role)
    email = normalise_email(email)
    return {"tenant_id": str(tenant_id), "email": email, "role": role,
            "password_hash": passwords.hash_password(password)}


def email_taken(email: str) -> str:
    """What a caller is told when the unique index users_email_per_tenant refuses an insert."""
    return f"The tenant already has a user {email} (emails are unique per tenant, ignoring case)."


def create_user(conn: psycopg.Connection, tenant_id: UUID | str, email: str, role: str, password: str,
                actor_role: str = roles.OPERATOR) -> User:
    """A new active user of the tenant; `actor_role` is the role of whoever asks (the platform
    operator's CLI by default). Runs in the caller's tenant transaction, or as the owner role."""
    params = new_user(tenant_id, email, role, password, actor_role)
    try:
        with conn.transaction(), conn.cursor(row_factory=class_row(User)) as cur:
            return cur.execute(load("earmark.identity", "users_insert"), params).fetchone()
    except psycopg.errors.UniqueViolation:
        raise UserError(email_taken(params["email"])) from None


def list_users(conn: psycopg.Connection, tenant_id: UUID | str) -> list[User]:
    with conn.cursor(row_factory=class_row(User)) as cur:
        return cur.execute(load("earmark.identity", "users_list"), {"tenant_id": str(tenant_id)}).fetchall()


def get_user(conn: psycopg.Connection, user_id: UUID | str) -> User:
    try:
        user_id = UUID(str(user_id))
    except ValueError:
        raise UserError(f"{user_id!r} is not a user id; `earmark users list --tenant ID` shows them."
                        ) from None
    with conn.cursor(row_factory=class_row(User)) as cur:
        found = cur.execute(load("earmark.identity", "users_get"), {"id": user_id}).fetchone()
    if found is None:
        raise UserError(f"No user {user_id}; `earmark users list --tenant ID` shows the users.")
    return found


def audit_created(user: User | dict) -> dict:
    """The changes of a user_created audit entry: the role and status, never the email or password (the
    target, user:<id>, names the user)."""
    row = user if isinstance(user, dict) else vars(user)
    return {"role": row["role"], "status": row["status"]}


def audit_updates(before: User | dict, after: User | dict) -> list[tuple[str, dict]]:
    """The audit entries (action, changes) of one update: one per aspect that changed, so filtering by
    user_role_changed finds every role change; none when nothing changed."""
    old = before if isinstance(before, dict) else vars(before)
    new = after if isinstance(after, dict) else vars(after)
    entries = []
    if old["role"] != new["role"]:
        entries.append(("user_role_changed", {"role": {"old": old["role"], "new": new["role"]}}))
    if old["status"] != new["status"]:
        action = "user_disabled" if new["status"] == "disabled" else "user_enabled"
        entries.append((action, {"status": {"old": old["status"], "new": new["status"]}}))
    return entries


def check_update(current_role: str, actor_role: str, *, role: str | None, status: str | None) -> None:
    """Whether `actor_role` may give a user who is `current_role` this role and status."""
    if status is not None and status not in STATUSES:
        raise UserError(f"Unknown status {status!r}; choose active or disabled.")
    if role is not None:
        roles.check_grant(actor_role, role)
    if current_role == "owner" and actor_role not in ("owner", roles.OPERATOR):
        raise roles.RoleError("Only an owner can change another owner.")


def update_user(conn: psycopg.Connection, user: User, *, role: str | None = None, status: str | None = None,
                actor_role: str = roles.OPERATOR) -> User:
    """Change a user's role and/or status. Admins may not touch an owner or make one; within the tenant
    nobody demotes or disables its last active owner (the platform operator can)."""
    check_update(user.role, actor_role, role=role, status=status)
    params = {"tenant_id": user.tenant_id, "id": user.id, "role": role, "status": status}
    with conn.transaction():
        loses_owner = user.role == "owner" and ((role or "owner") != "owner" or status == "disabled")
        if loses_owner and actor_role != roles.OPERATOR and not conn.execute(
                load("earmark.identity", "users_owners_left"), params).fetchone()[0]:
            raise UserError("This is the tenant's last active owner; make another user owner first.")
        with conn.cursor(row_factory=class_row(User)) as cur:
            return cur.execute(load("earmark.identity", "users_update"), params).fetchone()
