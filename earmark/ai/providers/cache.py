"""Answers kept per tenant by the content hash of what was asked, so a rerun costs nothing.

Runs in the caller's tenant transaction: RLS keeps one tenant's answers from another (the reason the
cache is per tenant, see migration 0022).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from uuid import UUID

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from earmark.ai.providers.base import Task
from earmark.sqlfiles import load


@dataclass(frozen=True)
class Cached:
    provider: str
    model: str
    answer: dict


def cache_key(text: str, task: Task, model: str) -> str:
    """sha256 of task name, prompt version, model and text, encoded as a JSON array so that no two
    different tuples share an encoding (plain concatenation would let "ab"+"c" meet "a"+"bc")."""
    encoded = json.dumps([task.name, task.prompt_version, model, text], ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def get(conn: psycopg.Connection, tenant_id: UUID, key: str) -> Cached | None:
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(load("earmark.ai", "providers_cache_get"),
                          {"tenant_id": tenant_id, "cache_key": key}).fetchone()
    return Cached(**row) if row else None


def put(conn: psycopg.Connection, tenant_id: UUID, key: str, task: Task, provider: str, model: str,
        answer: dict) -> None:
    conn.execute(load("earmark.ai", "providers_cache_put"), {
        "tenant_id": tenant_id, "cache_key": key, "task": task.name, "prompt_version": task.prompt_version,
        "provider": provider, "model": model, "answer": Jsonb(answer)})
