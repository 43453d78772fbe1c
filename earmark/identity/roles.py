"""Roles, the scopes each one carries, and who may grant which role."""

from __future__ import annotations

from earmark.credentials import TENANT_SCOPES
from earmark.errors import EarmarkError

# Strongest first. A key is a machine credential: it acts as an admin at most (it can never make an owner).
ROLES = ("owner", "admin", "analyst", "viewer")
# Not a role of a user: the platform operator at the CLI (`earmark users ...`), who may grant any role.
OPERATOR = "operator"
READ_SCOPES = ("attribution:read",)
ADMIN_SCOPES = TENANT_SCOPES  # settings, keys, users and the catalog, besides reading
ROLE_SCOPES: dict[str, tuple[str, ...]] = {
    "owner": ADMIN_SCOPES,
    "admin": ADMIN_SCOPES,
    "analyst": READ_SCOPES,
    "viewer": READ_SCOPES,
}


class RoleError(EarmarkError, PermissionError):
    """A role change the actor may not make; the message says who can."""


def check_role(role: str) -> str:
    if role not in ROLES:
        raise RoleError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.")
    return role


def check_grant(actor_role: str, role: str) -> None:
    """Owners grant any role; admins grant every role but owner; others grant none."""
    check_role(role)
    if actor_role in ("owner", OPERATOR):
        return
    if actor_role != "admin":
        raise RoleError("Only an owner or an admin manages users.")
    if role == "owner":
        raise RoleError("Only an owner can create or promote an owner.")
