"""The caller's tenant's users (scope users:admin): list, create, change role or status.

An API key acts as an admin: it manages every user but owners, and can never make one (owners come
from `earmark users create` until people sign in with their own roles).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

import psycopg
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from api import auditing
from api.deps import AdminUsers
from api.problems import ERROR_RESPONSES, Problem, forbidden, not_found
from api.types import text
from earmark.identity import passwords, roles, users
from earmark.sqlfiles import load

KEY_ROLE = "admin"  # what a key may do here (see the module's docstring)

router = APIRouter(
    prefix="/users", tags=["users"], responses={k: ERROR_RESPONSES[k] for k in (401, 403, 422, 429)}
)

Role = Literal[roles.ROLES]


class UserOut(BaseModel):
    id: UUID
    email: str
    role: Role
    status: Literal[users.STATUSES]
    created_at: datetime
    last_login_at: datetime | None


class UserList(BaseModel):
    data: list[UserOut]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"email": "ana@example.com", "role": "analyst", "password": "correct horse battery"}]})

    email: text(max_length=254)
    role: Role
    password: text(max_length=passwords.MAX_LENGTH, min_length=1) = Field(description=(
        f"At least {passwords.MIN_LENGTH} characters and not a common password; stored only as an "
        "argon2id hash."))


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"status": "disabled"}]})

    role: Role | None = None
    status: Literal[users.STATUSES] | None = None


def _refused(error: Exception) -> Problem:
    if isinstance(error, roles.RoleError):
        return forbidden(str(error), slug="role-not-allowed")
    return Problem(422, "validation-error", str(error))


@router.get("", response_model=UserList)
async def list_users(session: AdminUsers) -> UserList:
    """The tenant's users by email; never their passwords."""
    found = await session.rows(load("earmark.identity", "users_list"), {"tenant_id": session.tenant_id})
    return UserList(data=found)


@router.post("", response_model=UserOut, status_code=201, responses={
    400: ERROR_RESPONSES[400], 409: ERROR_RESPONSES[409],
    201: {"description": "Created", "links": {"UpdateUser": {
        "operationId": "update_user", "parameters": {"user_id": "$response.body#/id"}}}}})
async def create_user(session: AdminUsers, body: UserCreate) -> UserOut:
    """Create an active user of the caller's tenant (not an owner: see the tag's description)."""
    try:
        # argon2id costs about 64 MiB and a few tens of ms of CPU: off the event loop.
        params = await run_in_threadpool(users.new_user, session.tenant_id, body.email, body.role,
                                         body.password, KEY_ROLE)
    except (roles.RoleError, users.UserError, passwords.PasswordRefused) as error:
        raise _refused(error) from None
    try:
        async with session.transaction():
            created = await session.one(load("earmark.identity", "users_insert"), params)
            await auditing.record(session, "user_created", f"user:{created['id']}",
                                  users.audit_created(created))
            return created
    except psycopg.errors.UniqueViolation:
        raise Problem(409, "conflict", users.email_taken(params["email"])) from None


@router.patch("/{user_id}", response_model=UserOut, operation_id="update_user",
              responses={400: ERROR_RESPONSES[400], 404: ERROR_RESPONSES[404]})
async def update_user(session: AdminUsers, user_id: UUID, body: UserUpdate) -> UserOut:
    """Change a user's role or status; a key cannot touch an owner or make one."""
    async with session.transaction():
        found = await session.one(load("earmark.identity", "users_get"), {"id": user_id})
        if found is None:
            raise not_found(f"No user {user_id}.")
        try:
            users.check_update(found["role"], KEY_ROLE, role=body.role, status=body.status)
        except (roles.RoleError, users.UserError) as error:
            raise _refused(error) from None
        updated = await session.one(load("earmark.identity", "users_update"), {
            "tenant_id": session.tenant_id, "id": user_id, "role": body.role, "status": body.status})
        for action, changes in users.audit_updates(found, updated):
            await auditing.record(session, action, f"user:{user_id}", changes)
        return updated

