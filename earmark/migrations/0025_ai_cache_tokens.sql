-- Prompt-cache tokens in the AI usage ledger, so that the cost ledger can price any past call exactly from
-- its row and the price table's rates on its UTC day (earmark.ai.providers.prices: cache reads and writes
-- are billed at rates of their own, a tenth and 1.25 times the input rate on Anthropic).
--
-- tokens_in stays ALL the input tokens a call billed, at any rate. The two new columns are the parts of
-- tokens_in read from and written to the provider's prompt cache, never more of it: the input billed at
-- the plain input rate is tokens_in - cache_read_tokens - cache_write_tokens. (OpenAI's input_tokens
-- already include its cache tokens; Anthropic counts them apart, and the provider code adds them into
-- tokens_in, as it did before this column existed.)
--
-- Rows written before this migration say 0 for both: their cost_usd priced all of tokens_in as input.
alter table app.ai_calls
    add column cache_read_tokens integer not null default 0 check (cache_read_tokens >= 0),
    add column cache_write_tokens integer not null default 0 check (cache_write_tokens >= 0),
    -- bigint: two integer counts can add up past what an integer holds.
    add constraint ai_calls_cache_tokens_are_parts_of_tokens_in
        check (cache_read_tokens::bigint + cache_write_tokens <= tokens_in);
