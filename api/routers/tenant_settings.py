"""The caller's tenant: its attribution settings, its quotas and this month's usage."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from api import auditing
from api.database import query
from api.deps import ReadTenant, ServicesDep, WriteSettings
from api.problems import ERROR_RESPONSES, Problem
from api.session import TenantSession
from api.types import json_float, json_int
from earmark.ai.insights.countries import supported_countries
from earmark.attribution import MODELS
from earmark.downloads.reasons import MODES as WINDOW_MODES
from earmark.tenancy import tier_limits

MAX_HALF_LIVES = 1000

router = APIRouter(tags=["tenant"], responses={k: ERROR_RESPONSES[k] for k in (401, 403, 422, 429)})


class AttributionSettings(BaseModel):
    lookback_days: int
    time_decay_half_life_days: float
    position_first_weight: float
    position_last_weight: float
    currency: str
    time_zone: str
    reporting_model: Literal[MODELS]
    download_window: Literal[WINDOW_MODES]
    country: str = Field(description="ISO 3166-1 alpha-2: whose public holidays the anomaly detection and "
                                     "forecasts expect.")
    require_mfa: bool
    raw_retention_months: int
    updated_at: datetime


class SettingsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"lookback_days": 14, "position_first_weight": 0.3, "position_last_weight": 0.5}]})

    lookback_days: json_int(ge=1, le=365) | None = None
    time_decay_half_life_days: json_float(gt=0, le=3650) | None = None
    position_first_weight: json_float(ge=0, le=1) | None = None
    position_last_weight: json_float(ge=0, le=1) | None = None
    reporting_model: Literal[MODELS] | None = Field(
        None, description="The model reports and the API use when none is asked for, and under which CPA "
                          "placements are billed.")
    download_window: Literal[WINDOW_MODES] | None = Field(
        None, description="The IAB download window reports and the economics use when none is asked for: "
                          "fixed (UTC day) or rolling (24 h from the qualifying request).")
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = Field(
        None, description="ISO 3166-1 alpha-2 country (US, GB, DE, ...) whose public holidays the anomaly "
                          "detection and forecasts expect; it must be one the holiday calendar knows.",
        examples=["GB"])
    require_mfa: bool | None = Field(
        None, description="Every user of the tenant must use TOTP MFA: those without it set it up at their "
                          "next sign-in.", strict=True)
    raw_retention_months: json_int(ge=1, le=120) | None = Field(
        None, description="Raw data (events, download requests, ingest batches) older than this many "
                          "calendar months is deleted nightly, with the attribution and download counts "
                          "of those days.", examples=[12])

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str | None) -> str | None:
        if value is not None and value not in supported_countries():
            raise ValueError(f"no holiday calendar for country {value!r}; use an ISO 3166-1 alpha-2 code "
                             "such as US, GB or DE")
        return value


class Quotas(BaseModel):
    tier: str
    events_per_month: int
    api_requests_per_minute: int
    api_requests_per_month: int
    storage_bytes: int


class Usage(BaseModel):
    period_start: date
    events_ingested: int
    api_requests: int
    storage_bytes: int
    quotas: Quotas


async def _one(session: TenantSession, name: str) -> dict:
    return await session.one(query(name), {"tenant_id": session.tenant_id})


@router.get("/settings", response_model=AttributionSettings)
async def read_settings(session: ReadTenant) -> AttributionSettings:
    """The attribution settings of the key's tenant."""
    return await _one(session, "tenant_settings_get")


@router.patch("/settings", response_model=AttributionSettings, responses={400: ERROR_RESPONSES[400]})
async def update_settings(session: WriteSettings, body: SettingsUpdate) -> AttributionSettings:
    """Change the tenant's settings (scope settings:write); weights must sum to at most 1."""
    async with session.transaction():
        current = await _one(session, "tenant_settings_get")
        merged = {**current, **body.model_dump(exclude_none=True)}
        _check_weights(merged["position_first_weight"], merged["position_last_weight"])
        _check_half_life(merged["lookback_days"], merged["time_decay_half_life_days"])
        updated = await session.one(
            query("tenant_settings_update"), {"tenant_id": session.tenant_id, **body.model_dump()}
        )
        changed = {name: {"old": current.get(name), "new": updated.get(name)}
                   for name in body.model_dump(exclude_none=True) if current.get(name) != updated.get(name)}
        if changed:  # one settings_changed entry per update that changed something
            await auditing.record(session, "settings_changed", f"tenant:{session.tenant_id}", changed)
        return updated


def _check_weights(first: float, last: float) -> None:
    if first + last > 1 + 1e-9:
        raise Problem(
            422,
            "validation-error",
            f"position_first_weight + position_last_weight is {first + last:g}; it must be at most 1.",
        )


def _check_half_life(lookback_days: int, half_life_days: float) -> None:
    # A touch at the edge of the lookback weighs 2^-(lookback / half-life); past 2^-1000 a double
    # underflows and the tenant's time-decay model cannot be computed (migration 0013 holds the same rule).
    if lookback_days > MAX_HALF_LIVES * half_life_days:
        raise Problem(
            422,
            "validation-error",
            f"time_decay_half_life_days {half_life_days:g} is too short for lookback_days {lookback_days}: "
            f"the lookback may span at most {MAX_HALF_LIVES} half-lives, so use a half-life of at least "
            f"{lookback_days / MAX_HALF_LIVES:g} days or a shorter lookback.",
        )


@router.get("/usage", response_model=Usage)
async def usage(session: ReadTenant, services: ServicesDep) -> Usage:
    """This month's usage (UTC) beside the tier's quotas; API requests include unflushed counts."""
    row = await _one(session, "usage_current")
    tier = session.principal.tier
    row["api_requests"] = max(row["api_requests"], services.usage.month_total(session.tenant_id))
    return Usage(**row, quotas=Quotas(tier=tier, **vars(tier_limits()[tier])))


@router.get("/quotas", response_model=Quotas)
async def quotas(session: ReadTenant) -> Quotas:
    """The limits of the tenant's tier."""
    await session.admit()  # reads no table, but still counts against the rate limit
    tier = session.principal.tier
    return Quotas(tier=tier, **vars(tier_limits()[tier]))
