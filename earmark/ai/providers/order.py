"""Which providers an analysis tries, in order: the tenant's own order, else the platform's setting.

The local analyzer answers every time, so it ends every order: it is added when missing, and an order
that puts anything after it is refused (those providers could never run). Functions that read or write
the tenant's order run in the caller's tenant transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args
from uuid import UUID

import psycopg

from earmark.ai.providers.local import NAME as LOCAL
from earmark.errors import EarmarkError
from earmark.settings import AiProvider, Settings
from earmark.sqlfiles import load

PROVIDERS: tuple[str, ...] = get_args(AiProvider)


class OrderError(EarmarkError, ValueError):
    """A provider order that cannot be used; the message says how to write one."""


@dataclass(frozen=True)
class Order:
    providers: tuple[str, ...]  # always ends with local
    # "budget": the tenant's tier runs its LLM analysis locally once it passed its monthly cost budget
    source: Literal["tenant", "platform", "budget"]


def parse(names: str | Sequence[str], where: str = "--order") -> tuple[str, ...]:
    """A checked order ending with local, from "openai,anthropic" or a list; `where` names the input."""
    if isinstance(names, str):
        names = names.split(",")
    cleaned = [name.strip().lower() for name in names if name.strip()]
    unknown = [name for name in cleaned if name not in PROVIDERS]
    if unknown:
        raise OrderError(f"{where} names {', '.join(unknown)}; choose from {', '.join(PROVIDERS)}.")
    repeated = sorted({name for name in cleaned if cleaned.count(name) > 1})
    if repeated:
        raise OrderError(f"{where} names {', '.join(repeated)} more than once.")
    if LOCAL in cleaned and cleaned[-1] != LOCAL:
        raise OrderError(f"{where} puts providers after local, which always answers: end it with local.")
    return tuple(cleaned) if LOCAL in cleaned else (*cleaned, LOCAL)


def effective(conn: psycopg.Connection, tenant_id: UUID, settings: Settings) -> Order:
    row = conn.execute(load("earmark.ai", "providers_order_get"), {"tenant_id": tenant_id}).fetchone()
    if row is not None and row[0] is not None:
        return Order(parse(row[0], "The tenant's provider order"), "tenant")
    return Order(parse(settings.ai_providers, "EARMARK_AI_PROVIDERS"), "platform")


def set_for_tenant(conn: psycopg.Connection, tenant_id: UUID, providers: tuple[str, ...] | None) -> None:
    """Store the tenant's order (as parse() returned it), or None to follow the platform's again."""
    conn.execute(load("earmark.ai", "providers_order_set"),
                 {"tenant_id": tenant_id, "providers": list(providers) if providers is not None else None})
