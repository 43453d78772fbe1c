"""API-only knobs (prefix EARMARK_API_); the secret and the database come from earmark.settings."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EARMARK_API_", extra="ignore")

    pool_min_size: int = Field(default=2, ge=1)
    # Per worker. More connections than the cores can serve only add backends competing for them: on 2
    # cores with 2 workers, 2-4 gave 1,667-1,710 req/s and 6-8 gave 1,515-1,619 (bench/RESULTS.md).
    # Size it with the cores of the database, not with the expected concurrency.
    pool_max_size: int = Field(default=4, ge=1)
    # How long a request waits for a pooled connection before it answers 503 database-unavailable.
    pool_timeout_seconds: float = Field(default=5, gt=0, le=60)
    # A revoked key must stop working within 60 s; the key cache is the only thing that delays it.
    key_cache_seconds: float = Field(default=30, gt=0, le=60)
    # Request counts and last_used_at are written in batches, not on every request.
    usage_flush_seconds: float = Field(default=2, gt=0, le=60)
    # A GCRA bucket holds this many seconds of a tier's per-minute rate as burst.
    burst_seconds: float = Field(default=10, gt=0, le=60)
    # Multiplies every tier's per-minute rate; the benchmark raises it so that the limiter still runs
    # its upsert on every request but does not refuse the load generator.
    rate_limit_scale: float = Field(default=1.0, gt=0)


@lru_cache
def get_api_settings() -> ApiSettings:
    return ApiSettings()
