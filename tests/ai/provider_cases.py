"""What the provider tests share: a task and its text, the answers the local server gives, and readers of
the usage ledger."""

from __future__ import annotations

from earmark import db
from earmark.ai.providers import Task, keys
from earmark.ai.providers.local import local_model
from earmark.settings import Settings, get_settings

SCHEMA = {
    "type": "object",
    "properties": {
        "sentiment": {"type": "string", "enum": ["positive", "neutral", "negative"]},
        "topics": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["sentiment", "topics"],
    "additionalProperties": False,
}
LOCAL_ANSWER = {"sentiment": "neutral", "topics": []}
TASK = Task("episode_sentiment", "v1", "Classify the sentiment of this podcast ad read and list its topics.",
            SCHEMA, lambda text: LOCAL_ANSWER)
TEXT = "This episode is brought to you by Stride running shoes. Use code RUN20 for 20% off."
POSITIVE = {"sentiment": "positive", "topics": ["running shoes"]}
NEGATIVE = {"sentiment": "negative", "topics": []}
LOCAL = local_model()


def calls(tenant) -> list[tuple]:
    with db.connect("owner") as conn:
        return conn.execute(
            "select provider, model, outcome, http_status, error, tokens_in, tokens_out, cost_usd "
            "from app.ai_calls where tenant_id = %s order by called_at", [tenant.id]).fetchall()


def cache_calls(tenant) -> list[tuple]:
    """Each row's tokens with its prompt-cache parts: provider, outcome, error, tokens_in,
    cache_read_tokens, cache_write_tokens, tokens_out, cost_usd."""
    with db.connect("owner") as conn:
        return conn.execute(
            "select provider, outcome, error, tokens_in, cache_read_tokens, cache_write_tokens, tokens_out, "
            "cost_usd from app.ai_calls where tenant_id = %s order by called_at", [tenant.id]).fetchall()


def key_sources(tenant) -> list[tuple]:
    with db.connect("owner") as conn:
        return conn.execute("select provider, outcome, key_source from app.ai_calls where tenant_id = %s "
                            "order by called_at", [tenant.id]).fetchall()


def set_tenant_key(tenant, provider: str, key: str, settings: Settings | None = None) -> None:
    with db.connect("owner") as conn, db.tenant_transaction(conn, tenant.id):
        keys.set_key(conn, tenant.id, provider, key, settings or get_settings())
