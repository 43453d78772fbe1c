"""The catalog under /api/v1/catalog/<kind>: list (keyset pages), get, create, replace and delete.

Nine entities, one shape (earmark.catalog.entities): the routes are made from each entity's spec, so a
rule lives once. Reads need attribution:read, writes catalog:write. Field rules are the entity models'
(a 422 naming the field), rules that need other rows are earmark.catalog.rules' (a 422 with the same
sentence `earmark catalog import` gives), and a delete that other rows still refer to is a 409 naming them.
"""

import inspect
from functools import cache
from typing import Annotated

import psycopg
from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field, ValidationError, create_model
from starlette.convertors import Convertor, register_url_convertor

from api import cursors
from api.deps import ReadAttribution, ServicesDep, WriteCatalog
from api.problems import ERROR_RESPONSES, Problem, not_found
from api.session import TenantSession
from api.types import text
from earmark.catalog import rules, statements
from earmark.catalog.entities import SPECS, Spec
from earmark.catalog.importer import reason, rows_json


class RestOfPath(Convertor):
    """The rest of the path, line breaks included (Starlette's `path` stops at one, so a URL holding
    one would not reach the route, its key check or even the authentication: a 404 before a 401)."""

    regex = "(?s:.+)"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("rest", RestOfPath())

router = APIRouter(prefix="/catalog", tags=["catalog"],
                   responses={k: ERROR_RESPONSES[k] for k in (401, 403, 422, 429, 503)})

LimitQuery = Annotated[int, Query(ge=1, le=500, description="Page size.", examples=[50])]
CursorQuery = Annotated[text(max_length=2048) | None, Query(
    description="The next_cursor of the previous page (opaque); leave it out for the first page.")]
REFERRERS_SHOWN = 10


@cache
def _sql(kind: str, name: str, *args: object) -> str:
    """A composed statement (earmark.catalog.statements) as text, once per process."""
    return getattr(statements, name)(kind, *args).as_string()


def _key_parameters(spec: Spec) -> list[inspect.Parameter]:
    """The key's path parameters, typed as the model's own key fields: a path value is checked and stored
    the way a body's is (a promo code's letters and digits upper-case, a URL without its scheme), so
    `GET /promo_codes/sprocket-20` finds what `PUT` stored. A vanity URL, the one key that holds slashes,
    takes the rest of the path."""
    parameters = []
    for column in spec.key:
        field = spec.model.model_fields[column]
        described = Path(description=f"The {spec.singular}'s {column}.")
        annotation = Annotated[field.annotation, *field.metadata, described]
        parameters.append(inspect.Parameter(column, inspect.Parameter.KEYWORD_ONLY, annotation=annotation))
    return parameters


def _with_key(handler, spec: Spec):
    """`handler` with the key's path parameters in its signature (FastAPI reads the signature), passed to
    it as keyword arguments."""
    signature = inspect.signature(handler)
    fixed = [p for p in signature.parameters.values() if p.kind is not inspect.Parameter.VAR_KEYWORD]
    handler.__signature__ = signature.replace(parameters=fixed + _key_parameters(spec))
    return handler


def _item_path(spec: Spec) -> str:
    return f"/{spec.name}" + "".join(f"/{{{c}:rest}}" if c == "url" else f"/{{{c}}}" for c in spec.key)


def _label(spec: Spec, key: dict) -> str:
    return f"{spec.singular} " + " on ".join(repr(str(key[c])) for c in spec.key)


async def _check_references(session: TenantSession, spec: Spec, row: dict) -> None:
    known = {}
    for name in rules.needed(spec):
        known[name] = rules.index(name, await session.rows(_sql(name, "select_all")))
    problem = rules.problem(spec, row, known)
    if problem is not None:
        raise Problem(422, "validation-error", f"{problem[0].upper()}{problem[1:]}.",
                      errors=[{"loc": ["body"], "msg": problem, "type": "reference_invalid"}])


def _write_failed(spec: Spec, error: psycopg.errors.IntegrityError | psycopg.errors.DataError) -> Problem:
    if isinstance(error, psycopg.errors.DataError):  # a value the models let through and Postgres cannot hold
        return Problem(422, "validation-error", f"A value of the {spec.singular} cannot be stored "
                                                f"({error.sqlstate}: {error.diag.message_primary}).")
    # Another request changed what this one checked (a show deleted between the check and the write).
    return Problem(409, "conflict", f"The {spec.singular} conflicts with a change made at the same time "
                                    f"({error.sqlstate}); read it again and retry.")


_WRITE_ERRORS = (psycopg.errors.IntegrityError, psycopg.errors.DataError)


def _register(spec: Spec) -> None:
    model, fields = spec.model, spec.fields_model
    page_model = create_model(
        f"{model.__name__}Page", __base__=BaseModel, data=(list[model], ...), has_more=(bool, ...),
        next_cursor=(str | None, Field(description="Pass as starting_after for the next page; null on the "
                                                    "last.")))
    item_path = _item_path(spec)

    async def list_items(session: ReadAttribution, services: ServicesDep, limit: LimitQuery = 50,
                         starting_after: CursorQuery = None):
        params: dict = {"limit": limit + 1}
        if starting_after is not None:
            values = cursors.unseal(services.settings, session.tenant_id, spec.name, starting_after,
                                    len(spec.key))
            params.update({f"after_{c}": v for c, v in zip(spec.key, values, strict=True)})
        found = await session.rows(_sql(spec.name, "page", starting_after is not None), params)
        rows, has_more = found[:limit], len(found) > limit
        cursor = (cursors.seal(services.settings, session.tenant_id, spec.name,
                               [str(rows[-1][c]) for c in spec.key]) if has_more else None)
        return page_model(data=rows, has_more=has_more, next_cursor=cursor)

    async def get_item(session: ReadAttribution, **key):
        row = await session.one(_sql(spec.name, "get"), key)
        if row is None:
            raise not_found(f"No {_label(spec, key)}.")
        return row

    async def create_item(session: WriteCatalog, body: model, response: Response):  # type: ignore[valid-type]
        row = body.model_dump()
        try:
            async with session.transaction():
                await _check_references(session, spec, row)
                created = await session.one(_sql(spec.name, "insert"), {"tenant_id": str(session.tenant_id),
                                                                        **row})
        except _WRITE_ERRORS as exc:
            raise _write_failed(spec, exc) from None
        if created is None:
            key = {c: row[c] for c in spec.key}
            raise Problem(409, "conflict", f"The {_label(spec, key)} exists already; replace it with PUT.")
        response.status_code = 201
        return created

    async def replace_item(session: WriteCatalog, body: fields, **key):  # type: ignore[valid-type]
        try:
            row = model.model_validate({**body.model_dump(), **key}).model_dump()
        except ValidationError as exc:
            raise Problem(422, "validation-error", reason(exc.errors()[0])) from None
        try:
            async with session.transaction():
                await _check_references(session, spec, row)
                await session.rows(_sql(spec.name, "upsert"), {"tenant_id": str(session.tenant_id),
                                                               "rows": rows_json([row])})
        except _WRITE_ERRORS as exc:
            raise _write_failed(spec, exc) from None
        return row

    async def delete_item(session: WriteCatalog, **key):
        try:
            async with session.transaction():
                if statements.referrers(spec.name) is not None:
                    found = await session.rows(_sql(spec.name, "referrers"),
                                               {**key, "limit": REFERRERS_SHOWN})
                    if found:
                        named = ", ".join(f"{r['kind']} {r['id']!r}" for r in found)
                        raise Problem(409, "conflict",
                                      f"The {_label(spec, key)} is referred to by {named}; delete or change "
                                      "those first.", referrers=found)
                deleted = await session.rows(_sql(spec.name, "delete"), key)
        except _WRITE_ERRORS as exc:
            raise _write_failed(spec, exc) from None
        if not deleted:
            raise not_found(f"No {_label(spec, key)}.")
        # Nothing returned: FastAPI answers 204 with the headers the session set (the rate limit's).

    plural = spec.name.replace("_", " ")
    router.add_api_route(f"/{spec.name}", list_items, methods=["GET"], response_model=page_model,
                         operation_id=f"list_{spec.name}", summary=f"List {plural}",
                         description=f"The tenant's {plural} in key order (keyset pagination).")
    router.add_api_route(item_path, _with_key(get_item, spec), methods=["GET"], response_model=model,
                         operation_id=f"get_{spec.name}", summary=f"Get one of the {plural}",
                         responses={404: ERROR_RESPONSES[404]})
    router.add_api_route(f"/{spec.name}", create_item, methods=["POST"], response_model=model,
                         status_code=201, operation_id=f"create_{spec.name}",
                         summary=f"Create one of the {plural}",
                         description="Needs catalog:write; an existing key is a 409 (replace it with PUT).",
                         responses={400: ERROR_RESPONSES[400], 409: ERROR_RESPONSES[409]})
    router.add_api_route(item_path, _with_key(replace_item, spec), methods=["PUT"], response_model=model,
                         operation_id=f"replace_{spec.name}",
                         summary=f"Create or replace one of the {plural}",
                         description="Needs catalog:write; the body holds every field but the key.",
                         responses={400: ERROR_RESPONSES[400], 409: ERROR_RESPONSES[409]})
    router.add_api_route(item_path, _with_key(delete_item, spec), methods=["DELETE"], status_code=204,
                         response_class=Response, operation_id=f"delete_{spec.name}",
                         summary=f"Delete one of the {plural}",
                         description="Needs catalog:write; a row that others refer to is a 409 naming them.",
                         responses={404: ERROR_RESPONSES[404], 409: ERROR_RESPONSES[409]})


for _spec in SPECS.values():
    _register(_spec)
