"""The AI price table (earmark.ai.providers.prices): prices effective from a UTC day, prompt-cache rates,
exact Decimal costs, and tables that are refused in one sentence."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from earmark.ai.providers import prices
from earmark.ai.providers.prices import Price
from earmark.settings import get_settings


def table_of(tmp_path, text: str) -> prices.PriceTable:
    path = tmp_path / "prices.toml"
    path.write_text(text)
    return prices.price_table(get_settings().model_copy(update={"ai_prices_path": path}))


CHANGED = """read_on = 2027-01-15

[[openai."gpt-5.4"]]
from = 2026-01-01
input = 2.50
cache_read = 0.25
cache_write = 3.125
output = 15.00

[[openai."gpt-5.4"]]
from = 2027-03-01
input = 2.00
cache_read = 0.20
output = 12.00

[anthropic."claude-haiku-4-5"]
input = 1.00
output = 5.00
"""

OLD = Price(Decimal("2.50"), Decimal("15.00"), Decimal("0.25"), Decimal("3.125"), date(2026, 1, 1))
NEW = Price(Decimal("2.00"), Decimal("12.00"), Decimal("0.20"), None, date(2027, 3, 1))


def test_a_price_change_takes_effect_on_its_utc_day(tmp_path):
    table = table_of(tmp_path, CHANGED)
    on = {day: prices.price_on(table, "openai", "gpt-5.4", date.fromisoformat(day))
          for day in ("2025-12-31", "2026-01-01", "2027-02-28", "2027-03-01", "2031-06-30")}
    assert on == {"2025-12-31": None, "2026-01-01": OLD, "2027-02-28": OLD, "2027-03-01": NEW,
                  "2031-06-30": NEW}
    # 10000 in, 4000 of them read from the cache, 1000 out:
    # the day before: 6000 x 2.50 + 4000 x 0.25 + 1000 x 15.00 = 15000 + 1000 + 15000
    # the day itself: 6000 x 2.00 + 4000 x 0.20 + 1000 x 12.00 = 12000 + 800 + 12000
    def cost(day: str, **cache) -> Decimal | None:
        return prices.cost(table, "openai", "gpt-5.4", 10_000, 1_000, on=date.fromisoformat(day), **cache)

    assert cost("2027-02-28", cache_read=4_000) == Decimal("0.031")
    assert cost("2027-03-01", cache_read=4_000) == Decimal("0.0248")
    assert cost("2025-12-31", cache_read=4_000) is None  # before the first from: no price
    # 5000 fresh x 2.50 + 4000 x 0.25 + 1000 written x 3.125 + 1000 x 15.00 = 12500 + 1000 + 3125 + 15000
    assert cost("2027-02-28", cache_read=4_000, cache_write=1_000) == Decimal("0.031625")
    # The new price has no cache_write rate: the written tokens have no price, so neither has the call.
    assert cost("2027-03-01", cache_read=4_000, cache_write=1_000) is None


def test_a_single_table_is_the_price_since_forever(tmp_path):
    table = table_of(tmp_path, CHANGED)
    forever = Price(Decimal("1.00"), Decimal("5.00"))
    for day in (date(1970, 1, 1), date(2027, 3, 1), date(2999, 12, 31)):
        assert prices.price_on(table, "anthropic", "claude-haiku-4-5", day) == forever
    assert prices.price_on(table, "anthropic", "claude-opus-4-6", date(2027, 3, 1)) is None  # not in it
    assert prices.price_on(table, "openai", "claude-haiku-4-5", date(2027, 3, 1)) is None  # another provider


def test_cache_tokens_without_their_rate_have_no_price_never_a_silent_0(tmp_path):
    table = table_of(tmp_path, CHANGED)
    haiku = ("anthropic", "claude-haiku-4-5", 10_000, 100)
    assert prices.cost(table, *haiku) == Decimal("0.0105")  # 10000 x 1.00 + 100 x 5.00
    assert prices.cost(table, *haiku, cache_read=1) is None
    assert prices.cost(table, *haiku, cache_write=1) is None
    assert prices.cost(table, *haiku, cache_read=0, cache_write=0) == Decimal("0.0105")


def test_cost_is_priced_today_utc_unless_told_the_day(tmp_path):
    today = datetime.now(UTC).date()
    table = table_of(tmp_path, f"""read_on = 2027-01-15
[[openai."gpt-5.4-mini"]]
from = 2020-01-01
input = 1
output = 1
[[openai."gpt-5.4-mini"]]
from = {today + timedelta(days=1)}
input = 100
output = 100
""")
    mini = ("openai", "gpt-5.4-mini", 1_000, 0)
    assert prices.cost(table, *mini) == Decimal("0.001")
    assert prices.cost(table, *mini, on=today) == Decimal("0.001")
    assert prices.cost(table, *mini, on=today + timedelta(days=1)) == Decimal("0.1")
    assert prices.cost(table, *mini, on=date(2019, 12, 31)) is None


def test_costs_are_exact_decimals(tmp_path):
    # More digits than Decimal's default 28 can hold once multiplied by the most tokens a call can have.
    table = table_of(tmp_path, """read_on = 2027-01-15
[openai."gpt-5.4-mini"]
input = 0.123456789
cache_read = 0.0123456789
output = 9.876543210987654321
""")
    most = 2**31 - 1  # the most app.ai_calls holds
    found = prices.cost(table, "openai", "gpt-5.4-mini", most, most, cache_read=most - 7)
    # By integer arithmetic: rates scaled to whole numbers (x 1e18), the sum scaled back with the million.
    by_hand = (7 * 123_456_789_000_000_000 + (most - 7) * 12_345_678_900_000_000
               + most * 9_876_543_210_987_654_321)
    assert found == Decimal(f"{by_hand}e-24")
    assert str(found) == "21236.227178811499092236388687"


def test_calls_without_tokens_or_by_the_local_analyzer_cost_nothing(tmp_path):
    table = table_of(tmp_path, CHANGED)
    assert prices.cost(table, "openai", "unknown-model", 0, 0) == Decimal(0)
    assert prices.cost(table, "openai", "unknown-model", 1, 0) is None
    assert prices.cost(table, "local", "earmark-local", 5_000, 5_000) == Decimal(0)


def test_impossible_counts_and_a_datetime_for_a_day_are_refused(tmp_path):
    table = table_of(tmp_path, CHANGED)
    with pytest.raises(ValueError, match="the cache tokens are parts of tokens_in"):
        prices.cost(table, "openai", "gpt-5.4", 100, 0, cache_read=60, cache_write=41)
    with pytest.raises(ValueError, match="non-negative"):
        prices.cost(table, "openai", "gpt-5.4", 100, -1)
    midnight = datetime(2027, 3, 1, tzinfo=UTC)
    with pytest.raises(TypeError, match="not a datetime"):
        prices.price_on(table, "openai", "gpt-5.4", midnight)
    with pytest.raises(TypeError, match="not a datetime"):
        prices.cost(table, "openai", "gpt-5.4", 100, 0, on=midnight)


def test_the_packaged_cache_rates_are_the_stated_multiples_of_input():
    """prices.toml's header: Anthropic reads 0.1 x input, 5-minute writes 1.25 x; OpenAI reads 0.1 x,
    writes at input (no extra charge)."""
    table = prices.price_table(get_settings().model_copy(update={"ai_prices_path": None}))
    multiples = {"anthropic": (Decimal("0.1"), Decimal("1.25")), "openai": (Decimal("0.1"), Decimal(1))}
    assert {provider for provider, _ in table.prices} == set(multiples)
    for (provider, model), schedule in table.prices.items():
        (price,) = schedule
        read, write = multiples[provider]
        assert (price.cache_read_per_million, price.cache_write_per_million, price.effective_from) == (
            price.input_per_million * read, price.input_per_million * write, None), (provider, model)
    assert prices.price_on(table, "anthropic", "claude-haiku-4-5", date(2026, 12, 2)) == Price(
        Decimal("1.00"), Decimal("5.00"), Decimal("0.10"), Decimal("1.25"))


MODEL = 'read_on = 2027-01-15\n[openai."gpt-5.4-mini"]\n'
DATED = 'read_on = 2027-01-15\n[[openai."gpt-5.4"]]\n'
RATES = "input = 1\noutput = 2\n"


@pytest.mark.parametrize(("text", "problem"), [
    (MODEL + RATES + "cached_input = 0.1\n",
     "[openai.\"gpt-5.4-mini\"] has unknown key 'cached_input'; a price has input and output, optionally "
     "cache_read and cache_write (USD per million tokens), and from (a date)"),
    (MODEL + RATES + "cache_creation = 1\nttl = 5\n",
     "[openai.\"gpt-5.4-mini\"] has unknown keys 'cache_creation', 'ttl'; a price has input and output, "
     "optionally cache_read and cache_write (USD per million tokens), and from (a date)"),
    (MODEL + RATES + "cache_read = -0.1\n",
     '[openai."gpt-5.4-mini"] needs cache_read as a non-negative number (USD per million tokens)'),
    (MODEL + RATES + 'cache_read = "a tenth"\ncache_write = nan\n',
     '[openai."gpt-5.4-mini"] needs cache_read and cache_write as non-negative numbers (USD per million '
     "tokens)"),
    (MODEL + RATES + 'from = "2027-03-01"\n',
     '[openai."gpt-5.4-mini"] needs from = the UTC date its rates take effect, such as from = 2026-12-02'),
    (DATED + "from = 2027-03-01T00:00:00Z\n" + RATES,
     '[[openai."gpt-5.4"]] number 1 needs from = the UTC date its rates take effect, such as from = '
     "2026-12-02"),
    (DATED + "from = 2027-01-01\n" + RATES + '[[openai."gpt-5.4"]]\n' + RATES,
     '[[openai."gpt-5.4"]] number 2 needs from = the UTC date its rates take effect, such as from = '
     "2026-12-02"),
    (DATED + "from = 2027-03-01\n" + RATES + '[[openai."gpt-5.4"]]\nfrom = 2027-01-01\n' + RATES,
     '[[openai."gpt-5.4"]] must be in increasing from order (from = 2027-01-01 comes after from = '
     "2027-03-01)"),
    (DATED + "from = 2027-03-01\n" + RATES + '[[openai."gpt-5.4"]]\nfrom = 2027-03-01\n' + RATES,
     '[[openai."gpt-5.4"]] must be in increasing from order (from = 2027-03-01 comes after from = '
     "2027-03-01)"),
    ('read_on = 2027-01-15\n[openai]\n"gpt-5.4" = 3\n',
     'openai."gpt-5.4" must be one table [openai."gpt-5.4"] or an array of tables [[openai."gpt-5.4"]], '
     "each with from = the UTC date its rates take effect"),
    ('read_on = 2027-01-15\n[openai]\n"gpt-5.4" = []\n',
     'openai."gpt-5.4" must be one table [openai."gpt-5.4"] or an array of tables [[openai."gpt-5.4"]], '
     "each with from = the UTC date its rates take effect"),
], ids=["unknown_key", "unknown_keys", "bad_cache_rate", "bad_cache_rates", "from_a_string",
        "from_a_datetime", "from_missing", "from_decreasing", "from_repeated", "not_a_table", "empty"])
def test_a_malformed_table_is_refused_in_one_sentence(text, problem, tmp_path):
    with pytest.raises(prices.PriceTableError) as refused:
        table_of(tmp_path, text)
    assert str(refused.value) == (
        f"The AI price table {tmp_path / 'prices.toml'} (EARMARK_AI_PRICES) is not usable: {problem}.")
