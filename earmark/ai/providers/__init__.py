"""AI providers: one interface for "analyse this text, answer in this JSON schema", answered by OpenAI or
Anthropic through their official SDKs or by Earmark's local analyzer, in the order a tenant (or the
platform) sets, with retries, fallback, a per-tenant cache and a usage ledger.

    analyzer = Analyzer(conn, tenant_id)      # conn: earmark.db.connect("transformer"), autocommit
    answer = analyzer.analyse(task, text)     # answer.data matches task.schema; answer.provider answered

The SDKs are imported only when a provider is first called, so importing this package stays cheap.
"""

from earmark.ai.providers.base import (
    Answer,
    FinalError,
    MalformedAnswer,
    ProviderError,
    RetryableError,
    Task,
    TaskError,
)
from earmark.ai.providers.router import Analyzer

__all__ = ["Analyzer", "Answer", "FinalError", "MalformedAnswer", "ProviderError", "RetryableError", "Task",
           "TaskError"]
