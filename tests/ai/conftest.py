"""Fixtures of the AI tests: the local server that speaks OpenAI's and Anthropic's protocols, settings
pointing both SDKs at it, and an Analyzer whose backoff records its waits instead of sleeping."""

import pytest
from fake_llm import ANTHROPIC_KEY, OPENAI_KEY, FakeLLM
from pydantic import SecretStr

from earmark import db
from earmark.ai.providers import Analyzer
from earmark.settings import Settings, get_settings


@pytest.fixture
def fake():
    with FakeLLM() as server:
        yield server


@pytest.fixture
def ai_settings(fake):
    """Settings (the session's secret key, so sealed keys open) pointing both SDKs at the fake server."""

    def _make(**overrides) -> Settings:
        return get_settings().model_copy(update={
            "ai_providers": ["openai", "anthropic", "local"], "openai_base_url": fake.openai_base_url,
            "anthropic_base_url": fake.anthropic_base_url, "ai_timeout_seconds": 0.5, "ai_max_retries": 2,
            "ai_backoff_seconds": 0.5, "openai_api_key": SecretStr(OPENAI_KEY),
            "anthropic_api_key": SecretStr(ANTHROPIC_KEY), **overrides})

    return _make


@pytest.fixture
def analyzer(database):
    """An Analyzer on a transformer connection (as the pipelines run it) whose backoff records its waits
    instead of sleeping; jitter 0.5 makes each wait 3/4 of its step: 0.375 s, then 0.75 s."""
    with db.connect("transformer") as conn:
        def _make(tenant, settings: Settings) -> tuple[Analyzer, list[float]]:
            sleeps: list[float] = []
            run = Analyzer(conn, tenant.id, settings=settings, sleep=sleeps.append, jitter=lambda: 0.5)
            return run, sleeps

        yield _make
