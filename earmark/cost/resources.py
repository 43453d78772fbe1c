"""The resources the ledger measures, each with its unit: the names the price book prices.

LLM tokens are a resource too, but priced at their source (the dated AI price table, per provider and
model), so the price book does not list them.
"""

from __future__ import annotations

COMPUTE_SECONDS = "compute_seconds"  # wall time of Dagster steps
DB_SECONDS = "db_seconds"  # database time; the step's wall time where Postgres cannot report it
DB_ROWS = "db_rows"  # rows read and written by an asset
STORAGE_BYTES = "storage_bytes"  # bytes held, measured once a day
API_REQUESTS = "api_requests"  # read API requests (the quota counter, by day)
# one row per provider call and token kind: fresh input, cache reads, cache writes, output
LLM_INPUT_TOKENS = "llm_input_tokens"
LLM_CACHE_READ_TOKENS = "llm_cache_read_tokens"
LLM_CACHE_WRITE_TOKENS = "llm_cache_write_tokens"
LLM_OUTPUT_TOKENS = "llm_output_tokens"
LLM_RESOURCES = (LLM_INPUT_TOKENS, LLM_CACHE_READ_TOKENS, LLM_CACHE_WRITE_TOKENS, LLM_OUTPUT_TOKENS)

UNITS = {
    COMPUTE_SECONDS: "s",
    DB_SECONDS: "s",
    DB_ROWS: "rows",
    STORAGE_BYTES: "bytes",
    API_REQUESTS: "requests",
    **{name: "tokens" for name in LLM_RESOURCES},
}
PRICE_BOOK_RESOURCES = tuple(name for name in UNITS if name not in LLM_RESOURCES)
