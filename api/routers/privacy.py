"""Data-subject requests (scope users:admin): record one, follow it, take an access export once.

The request is carried out by the pipelines' privacy job (earmark.privacy.processing); this router only
records it, with its audit entry in the same transaction, and reads it back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from api import auditing
from api.deps import AdminUsers
from api.problems import ERROR_RESPONSES, Problem, forbidden, not_found
from api.types import text
from earmark.privacy import requests
from earmark.sqlfiles import load

router = APIRouter(prefix="/privacy", tags=["privacy"],
                   responses={k: ERROR_RESPONSES[k] for k in (401, 403, 422, 429)})

Kind = Literal[requests.KINDS]


class PrivacyRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"type": "erasure", "subject": "u-1044821755393"}]})

    type: Kind
    subject: text(max_length=requests.MAX_ID) = Field(
        description="The subject's user id, as the tenant sends it.")
    email: text(max_length=254) | None = Field(
        None, description="The subject's email, if the tenant sends emails (kept only as a keyed pseudonym).")
    new_subject: text(max_length=requests.MAX_ID) | None = Field(
        None, description="Rectification only: the corrected user id the subject's rows get.")


class PrivacyRequestOut(BaseModel):
    id: UUID
    type: Kind
    status: Literal["pending", "completed"]
    phase: Literal["received", "deleted", "recomputed", "completed"]
    requested_by: str
    received_at: datetime
    due_at: datetime
    completed_at: datetime | None
    downloaded_at: datetime | None
    evidence: dict = Field(description="Erasure: rows removed per table, the recompute (dates, time) and the "
                                       "scan (tables scanned, traces found). Access: values exported.")
    error: str | None


class PrivacyRequestList(BaseModel):
    data: list[PrivacyRequestOut]


def _out(row: dict) -> PrivacyRequestOut:
    return PrivacyRequestOut(**{**row, "type": row["kind"],
                                "status": "completed" if row["phase"] == "completed" else "pending"})


@router.post("/requests", response_model=PrivacyRequestOut, status_code=201, responses={
    400: ERROR_RESPONSES[400],
    201: {"description": "Created", "links": {
        "GetPrivacyRequest": {"operationId": "get_privacy_request",
                              "parameters": {"request_id": "$response.body#/id"}},
        "TakePrivacyExport": {"operationId": "take_privacy_export",
                              "parameters": {"request_id": "$response.body#/id"}}}}})
async def create_request(session: AdminUsers, body: PrivacyRequestIn) -> PrivacyRequestOut:
    """Record an access, erasure or rectification request, due one calendar month after it is received."""
    subject = requests.Subject(body.subject, body.email, body.new_subject)
    try:
        params = await run_in_threadpool(requests.params, session.tenant_id, body.type, subject,
                                         session.principal.actor)
    except requests.RequestError as error:
        raise Problem(422, "validation-error", str(error)) from None
    async with session.transaction():
        row = await session.one(load("earmark.privacy", "requests_insert"), params)
        await auditing.record(session, "privacy_request_created", f"privacy_request:{row['id']}",
                              requests.audit_changes(body.type, row))
    return _out(row)


@router.get("/requests", response_model=PrivacyRequestList)
async def list_requests(session: AdminUsers) -> PrivacyRequestList:
    """The 100 newest requests, newest first."""
    rows = await session.rows(load("earmark.privacy", "requests_list"), {"limit": 100})
    return PrivacyRequestList(data=[_out(r) for r in rows])


@router.get("/requests/{request_id}", response_model=PrivacyRequestOut, operation_id="get_privacy_request",
            responses={404: ERROR_RESPONSES[404]})
async def get_request(session: AdminUsers, request_id: UUID) -> PrivacyRequestOut:
    row = await session.one(load("earmark.privacy", "requests_get"), {"id": request_id})
    if row is None:
        raise not_found(f"No privacy request {request_id}.")
    return _out(row)


@router.get("/requests/{request_id}/export", operation_id="take_privacy_export", responses={
    404: ERROR_RESPONSES[404], 409: ERROR_RESPONSES[409], 410: ERROR_RESPONSES[410],
    200: {"description": "The subject's data: every registered personal-data value, its table and column."}})
async def take_export(session: AdminUsers, request_id: UUID) -> dict:
    """An access request's export, to the caller who made the request, once: it is deleted as it is sent."""
    async with session.transaction():
        key = {"tenant_id": session.tenant_id, "id": request_id}
        state = await session.one(load("earmark.privacy", "requests_export_state"), key)
        if state is None:
            raise not_found(f"No privacy request {request_id}.")
        if state["kind"] != "access":
            raise Problem(409, "conflict", f"Request {request_id} is an {state['kind']} request; only access "
                                           "requests have an export.")
        if state["requested_by"] != session.principal.actor:
            raise forbidden("Only the caller who made the request may download its export.",
                            slug="not-requester")
        if state["downloaded_at"] is not None:
            raise Problem(410, "gone", f"The export of request {request_id} was already downloaded; make "
                                       "a new access request for a fresh one.")
        if not state["ready"]:
            raise Problem(409, "not-ready", f"The export of request {request_id} is not ready yet; the "
                                            "privacy job prepares it within minutes.")
        taken = await session.one(load("earmark.privacy", "requests_take_export"), key)
        document = await run_in_threadpool(requests.open_export, session.tenant_id, taken["export_sealed"])
        await auditing.record(session, "data_exported", f"privacy_request:{request_id}",
                              {"what": "privacy_access_export", "values": len(document["values"])})
    return document
