"""Tenants, their settings and their quotas: the one place that creates and reads them."""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from importlib.resources import files
from uuid import UUID

import psycopg
from psycopg.rows import class_row, dict_row

from earmark.errors import EarmarkError
from earmark.sqlfiles import load

TIERS = ("free", "standard", "enterprise")
DEFAULT_TIER = "standard"


class TenantError(EarmarkError, ValueError):
    """A tenant request that cannot be done; the message says what to do instead."""


@dataclass(frozen=True)
class TierLimits:
    events_per_month: int
    api_requests_per_minute: int
    api_requests_per_month: int
    storage_bytes: int


@dataclass(frozen=True)
class Tenant:
    id: UUID
    name: str
    tier: str
    status: str
    created_at: datetime

    def as_json(self) -> dict:
        data = asdict(self)
        data["id"] = str(self.id)
        data["created_at"] = self.created_at.isoformat()
        return data


@dataclass(frozen=True)
class TenantSettings:
    tenant_id: UUID
    lookback_days: int
    time_decay_half_life_days: float
    position_first_weight: float
    position_last_weight: float
    currency: str
    time_zone: str
    reporting_model: str = "linear"
    raw_retention_months: int = 25  # raw rows older than this go nightly (earmark.privacy.retention)


@dataclass(frozen=True)
class TierBilling:
    price_per_month: Decimal  # USD the tenant pays
    cost_budget_per_month: Decimal  # USD the platform budgets to serve it, unless the tenant sets its own
    over_budget: str  # "alert" or "local_ai" (LLM analysis uses the local analyzer past 100 %)


@lru_cache
def _tiers() -> dict:
    return tomllib.loads((files("earmark") / "tiers.toml").read_text("utf-8"), parse_float=Decimal)


@lru_cache
def tier_limits() -> dict[str, TierLimits]:
    return {name: TierLimits(**{k: v for k, v in _tiers()[name].items() if k != "billing"}) for name in TIERS}


@lru_cache
def tier_billing() -> dict[str, TierBilling]:
    return {name: TierBilling(**{k: Decimal(v) if k != "over_budget" else v
                                 for k, v in _tiers()[name]["billing"].items()}) for name in TIERS}


def create_tenant(conn: psycopg.Connection, name: str, tier: str = DEFAULT_TIER) -> Tenant:
    """Create a tenant with default settings (runs as a platform role)."""
    name = name.strip()
    if not name:
        raise TenantError("A tenant needs a non-empty --name.")
    if tier not in TIERS:
        raise TenantError(f"Unknown tier {tier!r}; choose one of {', '.join(TIERS)}.")
    with conn.transaction():
        if conn.execute(load("earmark", "tenants_name_taken"), {"name": name}).fetchone():
            raise TenantError(f"A tenant named {name!r} already exists; pick another name.")
        with conn.cursor(row_factory=class_row(Tenant)) as cur:
            tenant = cur.execute(load("earmark", "tenants_insert"), {"name": name, "tier": tier}).fetchone()
        conn.execute(load("earmark", "tenant_settings_insert"), {"tenant_id": tenant.id})
    return tenant


def audit_created(tenant: Tenant | dict) -> dict:
    """The changes of a tenant_created audit entry (the platform chain; the target names the tenant)."""
    row = tenant if isinstance(tenant, dict) else vars(tenant)
    return {"name": row["name"], "tier": row["tier"], "status": row["status"]}


def audit_updates(before: Tenant | dict, after: Tenant | dict) -> list[tuple[str, dict]]:
    """The audit entries (action, changes) of one tenant update: one per aspect that changed."""
    old = before if isinstance(before, dict) else vars(before)
    new = after if isinstance(after, dict) else vars(after)
    return [(f"tenant_{aspect}_changed", {aspect: {"old": old[aspect], "new": new[aspect]}})
            for aspect in ("status", "tier") if old[aspect] != new[aspect]]


def list_tenants(conn: psycopg.Connection) -> list[Tenant]:
    with conn.cursor(row_factory=class_row(Tenant)) as cur:
        return cur.execute(load("earmark", "tenants_list")).fetchall()


def get_tenant(conn: psycopg.Connection, tenant_id: UUID | str) -> Tenant:
    try:
        tenant_uuid = UUID(str(tenant_id))
    except ValueError:
        raise TenantError(f"{tenant_id!r} is not a tenant id (a UUID); see `earmark tenants list`.") from None
    with conn.cursor(row_factory=class_row(Tenant)) as cur:
        tenant = cur.execute(load("earmark", "tenants_get"), {"tenant_id": tenant_uuid}).fetchone()
    if tenant is None:
        raise TenantError(f"No tenant {tenant_uuid}; see `earmark tenants list`.")
    return tenant


def get_settings(conn: psycopg.Connection, tenant_id: UUID | str) -> TenantSettings:
    with conn.cursor(row_factory=class_row(TenantSettings)) as cur:
        found = cur.execute(load("earmark", "tenant_settings_get"), {"tenant_id": UUID(str(tenant_id))}
                            ).fetchone()
    if found is None:
        raise TenantError(f"No settings for tenant {tenant_id}; see `earmark tenants list`.")
    return found


def usage(conn: psycopg.Connection, tenant_id: UUID | str) -> dict:
    """This month's usage counters (zeros when nothing was counted yet)."""
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(load("earmark", "tenant_usage_get"), {"tenant_id": UUID(str(tenant_id))}).fetchone()
    return row or {"events_ingested": 0, "api_requests": 0, "storage_bytes": 0}


def add_ingested_events(conn: psycopg.Connection, tenant_id: UUID | str, events: int,
                        approx_bytes: int) -> None:
    conn.execute(load("earmark", "tenant_usage_add_events"),
                 {"tenant_id": UUID(str(tenant_id)), "events": events, "bytes": approx_bytes})
