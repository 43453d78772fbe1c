"""One settings object for every runtime, read from the environment (prefix EARMARK_)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from earmark.errors import EarmarkError

DEVELOPMENT_SECRET = "development-only-secret-change-me"
# The AI providers an analysis can try (earmark.ai.providers); `local` is Earmark's own offline analyzer.
AiProvider = Literal["openai", "anthropic", "local"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EARMARK_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    home: Path = Path(".earmark")
    # Where the daily audit-chain heads are exported (a folder outside the database);
    # $EARMARK_HOME/audit-heads when unset.
    audit_export_dir: Path | None = None
    # An external server instead of the embedded one: the owner's (migration) connection URL.
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    database_name: str = "earmark"
    dagster_database_name: str = "earmark_dagster"

    # Passwords matter only on an external server; the embedded one listens on a private socket.
    transformer_password: SecretStr | None = None
    api_password: SecretStr | None = None

    # Server-side secret for hashing API keys and tokens; never stored in the database.
    secret_key: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    # The key that seals TOTP secrets (AES-GCM); unset, one is derived from secret_key under its own label.
    mfa_key: SecretStr | None = None
    # The key behind request logs' address HMACs and sealed addresses (issue 13); unset, derived from
    # secret_key under its own labels. Changing it makes every stored listener key unjoinable with new ones.
    downloads_key: SecretStr | None = None
    # R2.8: more than this many distinct (user agent, episode) pairs from one IP key on one UTC day excludes
    # all of that group's requests (a platform setting: it applies to every tenant).
    ip_spike_threshold: int = Field(50, ge=1)
    # The OAuth issuer (RFC 8414): the public origin of this server; in production it must be https.
    issuer: str = "http://127.0.0.1:8000"
    # How long an OAuth access token lives (RFC 9700 asks for short-lived ones); refresh tokens rotate.
    oauth_access_token_minutes: int = Field(default=10, ge=1, le=60)

    # AI analysis: the platform's provider order (a tenant's own order in its settings wins), tried left to
    # right, `local` last; only `local` by default, so that every feature works offline and costs nothing.
    # EARMARK_AI_PROVIDERS="openai,anthropic,local".
    ai_providers: Annotated[list[AiProvider], NoDecode] = Field(default=["local"], min_length=1)
    openai_model: str = "gpt-5.4-mini"
    anthropic_model: str = "claude-haiku-4-5"
    # None: the SDK's own default (or its OPENAI_BASE_URL / ANTHROPIC_BASE_URL); tests point them at a fake.
    openai_base_url: str | None = None
    anthropic_base_url: str | None = None
    # One request's limit; the SDKs' own retries are off, so this and the two below are the whole policy.
    ai_timeout_seconds: float = Field(default=60, gt=0, le=600)
    ai_max_retries: int = Field(default=2, ge=0, le=10)  # per provider, after its first attempt
    ai_backoff_seconds: float = Field(default=1.0, ge=0, le=60)  # the first wait; it doubles, with jitter
    ai_max_output_tokens: int = Field(default=4096, ge=1, le=128_000)
    # The price table app.ai_calls' costs come from: an operator's own file in the format of the packaged
    # earmark/ai/prices.toml (None: that one). EARMARK_AI_PRICES=/etc/earmark/prices.toml.
    ai_prices_path: Path | None = Field(default=None, validation_alias="EARMARK_AI_PRICES")
    # The platform's keys; a tenant's own sealed key (`earmark ai keys set`) is preferred. The SDKs' usual
    # variable names are accepted too.
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("EARMARK_OPENAI_API_KEY", "OPENAI_API_KEY"))
    anthropic_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("EARMARK_ANTHROPIC_API_KEY", "ANTHROPIC_API_KEY"))

    @field_validator("ai_providers", mode="before")
    @classmethod
    def _split_providers(cls, value: object) -> object:
        if isinstance(value, str):
            return [name.strip().lower() for name in value.split(",") if name.strip()]
        return value

    @field_validator("ai_prices_path", mode="before")
    @classmethod
    def _blank_prices_path_is_unset(cls, value: object) -> object:
        # EARMARK_AI_PRICES= (empty) means the packaged table, not the current directory.
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Settings:
        """Outside development: no default secret, and an external server's roles need their passwords."""
        if self.env == "development":
            return self
        if self.secret_key.get_secret_value() == DEVELOPMENT_SECRET:
            raise ValueError(
                "EARMARK_SECRET_KEY is still the development default; set a random secret "
                "(for example `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)."
            )
        if self.env == "production" and not self.issuer.startswith("https://"):
            raise ValueError(f"EARMARK_ISSUER is {self.issuer!r}; in production it must be the https "
                             "origin clients reach this server at, for example https://earmark.example.com.")
        if self.database_url is not None:
            missing = [name for name, value in (("EARMARK_TRANSFORMER_PASSWORD", self.transformer_password),
                                                ("EARMARK_API_PASSWORD", self.api_password)) if not value]
            if missing:
                raise ValueError(f"DATABASE_URL names an external server, whose Earmark roles log in with "
                                 f"passwords: set {' and '.join(missing)}.")
        return self

    @property
    def home_dir(self) -> Path:
        return self.home.expanduser().resolve()

    @property
    def pgdata_dir(self) -> Path:
        return self.home_dir / "pgdata"

    @property
    def logs_dir(self) -> Path:
        return self.home_dir / "logs"

    @property
    def landing_dir(self) -> Path:
        return self.home_dir / "landing"

    @property
    def audit_export_folder(self) -> Path:
        return (self.audit_export_dir or self.home_dir / "audit-heads").expanduser().resolve()

    @property
    def dagster_home(self) -> Path:
        return self.home_dir / "dagster"

    @property
    def uses_embedded_server(self) -> bool:
        return self.database_url is None


@lru_cache
def get_settings() -> Settings:
    return Settings()


def refuse_in_production(what: str, settings: Settings | None = None) -> None:
    """Tools for development and measurement (benchmarks, the synthetic loader) stop here in production."""
    if (settings or get_settings()).env == "production":
        raise EarmarkError(f"{what} is for development and benchmarks and is refused when "
                           "EARMARK_ENV=production; run it on a development install.")
