"""The price book: what a file must say, and how versions take effect."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from allocation_case import UNIT_PRICES
from typer.testing import CliRunner

from earmark.cli import app
from earmark.cost import price_book
from earmark.cost.price_book import PriceBookError

PRICES = UNIT_PRICES.format(db_price="0.02")


def book_text(version: str, effective: str, shared: str = "") -> str:
    return f'version = "{version}"\neffective_from = {effective}\n{PRICES}\n{shared}'


def test_the_packaged_book_parses_and_prices_every_resource_exactly():
    from importlib.resources import files

    book = price_book.parse((files("earmark.cost") / "price_book.toml").read_text("utf-8"), "packaged")
    assert book.prices["storage_bytes"] == price_book.UnitPrice(Decimal("0.115"), Decimal(1_073_741_824),
                                                                True)
    assert book.shared["database"].rule == "metric" and book.shared["database"].metric == "db_seconds"
    assert book.shared["api_hosts"] == price_book.SharedCost(Decimal("40.00"), "weighted")


@pytest.mark.parametrize(("change", "message"), [
    (lambda t: t.replace("[prices.api_requests]\nprice = 1.00\nper = 1000\n", ""),
     "it has no [prices.api_requests]; every measured resource needs a price"),
    (lambda t: t + "[prices.gpu_seconds]\nprice = 1\n",
     "[prices.gpu_seconds] prices no resource Earmark measures"),
    (lambda t: t.replace("price = 0.01", "price = -0.01"),
     "[prices.compute_seconds] price must be a non-negative"),
    (lambda t: t + "[shared.db]\nmonthly = 10.005\nmetric = \"db_seconds\"\n",
     "monthly must be in whole cents"),
    (lambda t: t + "[shared.db]\nmonthly = 10\nrule = \"fair\"\n",
     "rule must be one of metric, even, weighted"),
    (lambda t: t + "[shared.db]\nmonthly = 10\n", "[shared.db] needs metric = one of"),
    (lambda t: t + "[shared.db]\nmonthly = 10\nrule = \"weighted\"\nweights = { free = 1 }\n",
     "[shared.db] has unknown key 'weights'"),
    (lambda t: t + "[shared.db]\nmonthly = 10\nrule = \"even\"\ncapacity_per_day = 5\n",
     "takes metric and capacity_per_day only with rule = \"metric\""),
    (lambda t: t.replace("effective_from = 2031-01-01", "effective_from = \"soon\""),
     "it needs effective_from"),
    (lambda t: "discount = 3\n" + t, "unknown top-level key 'discount'"),
])
def test_a_malformed_book_is_refused_with_one_sentence_naming_the_file(change, message):
    with pytest.raises(PriceBookError) as error:
        price_book.parse(change(book_text("v", "2031-01-01")), "book.toml")
    assert str(error.value).startswith("The price book book.toml is not usable: ")
    assert message in str(error.value)


def test_versions_apply_from_their_date_and_never_before_today_unless_asked(owner_conn):
    price_book.ensure_default(owner_conn)
    name = f"test-{uuid.uuid4().hex[:8]}"
    past = price_book.parse(book_text(name, "2024-02-01"), "past.toml")
    with pytest.raises(PriceBookError, match="before today .* pass --retroactive"):
        price_book.load_book(owner_conn, past, "past.toml", today=date(2026, 12, 2))
    assert name not in {b["version"] for b in price_book.versions(owner_conn)}  # nothing was written
    loaded = price_book.load_book(owner_conn, past, "past.toml", retroactive=True, today=date(2026, 12, 2))
    assert loaded["loaded"] and loaded["effective_from"] == date(2024, 2, 1)
    assert {p["resource"]: p["price"] for p in loaded["prices"]}["db_seconds"] == Decimal("0.02")
    # the same file again changes nothing; other contents under the same version name are refused
    assert price_book.load_book(owner_conn, past, "past.toml", retroactive=True)["loaded"] is False
    edited = price_book.parse(book_text(name, "2024-02-01").replace("0.02", "0.03"), "edited.toml")
    with pytest.raises(PriceBookError, match="already loaded with other contents"):
        price_book.load_book(owner_conn, edited, "edited.toml", retroactive=True)


def test_cli_loads_a_future_version_and_shows_which_is_in_effect(tmp_path, database):
    name = f"future-{uuid.uuid4().hex[:8]}"
    path = tmp_path / "book.toml"
    path.write_text(book_text(name, "2099-01-01"), "utf-8")
    runner = CliRunner()
    done = runner.invoke(app, ["cost", "prices", "load", str(path)])
    assert done.exit_code == 0, done.output
    assert (f"loaded price book '{name}', effective from 2099-01-01 "
            "(5 unit prices, 0 shared costs)") in done.output
    shown = runner.invoke(app, ["cost", "prices", "show", "--json"])
    import json

    versions = {v["version"]: v for v in json.loads(shown.output)["versions"]}
    assert versions[name]["in_effect"] is False  # takes effect in 2099
    assert sum(v["in_effect"] for v in versions.values()) == 1
    bad = tmp_path / "bad.toml"
    bad.write_text("version = 3\n", "utf-8")
    refused = runner.invoke(app, ["cost", "prices", "load", str(bad)])
    # `earmark` prints an EarmarkError as its one sentence (earmark.cli.main); here it is the exception
    assert refused.exit_code != 0 and isinstance(refused.exception, PriceBookError)
    assert str(refused.exception).startswith(f"The price book {bad} is not usable: it needs version")
