"""Names shared across Python, SQL and YAML have one source each: a tuple in the core.

Python builds its Literals and CLI choices from the tuples; SQL and YAML cannot import them, so this
test reads every place that must spell them out. Adding a model or a tier is one edit to its tuple plus
the places named here (a migration for a CHECK constraint).
"""

from __future__ import annotations

import importlib.util
import re
import tomllib
import typing
from pathlib import Path

import yaml

from earmark import credentials, db, tenancy
from earmark.attribution import MODELS

ROOT = Path(__file__).resolve().parents[2]
# Files that unpivot or list the five models in SQL; each must name every model.
MODEL_SQL = (
    "earmark/attribution/sql/export_by_channel.sql",
    "earmark/attribution/sql/export_by_campaign.sql",
    "api/sql/touch_credits_for.sql",
    "dbt_project/macros/attribution_tests.sql",
    "dbt_project/macros/daily_credits.sql",
    "dbt_project/models/marts/catalog/fct_daily_economics.sql",
    "earmark/attribution/sql/export_by_show.sql",
)


def _check_values(table: str, column: str) -> list[set[str]]:
    """The quoted values of every CHECK constraint on `table` that mentions `column`."""
    with db.connect("owner") as conn:
        definitions = [row[0] for row in conn.execute(
            "select pg_get_constraintdef(oid) from pg_constraint where conrelid = %s::regclass "
            "and contype = 'c'", [table])]
    return [set(re.findall(r"'([^']+)'", d)) for d in definitions if column in d]


def test_tiers_have_one_source(database):
    from api.routers.tenants import Tier
    from earmark.cli.tenants import Tier as TierChoice

    assert _check_values("app.tenants", "tier") == [set(tenancy.TIERS)]
    assert tuple(tomllib.loads((ROOT / "earmark/tiers.toml").read_text())) == tenancy.TIERS
    assert typing.get_args(Tier) == tenancy.TIERS
    assert tuple(choice.value for choice in TierChoice) == tenancy.TIERS


def test_scopes_have_one_source(database):
    from api.routers.keys import TenantScope

    tenant_checks = _check_values("app.api_keys", "scopes")
    assert set(map(frozenset, tenant_checks)) == {frozenset(credentials.TENANT_SCOPES)}
    assert _check_values("app.platform_keys", "scopes") == [set(credentials.PLATFORM_SCOPES)]
    assert typing.get_args(TenantScope) == credentials.TENANT_SCOPES


def test_models_have_one_source(database):
    from api.routers.attribution import Model
    from api.routers.tenant_settings import AttributionSettings
    from earmark.cli.economics import Model as ModelChoice

    # The independent reference (tests/attribution) keeps its own list on purpose; it must agree.
    spec = importlib.util.spec_from_file_location("oracle", ROOT / "tests/attribution/attribution_oracle.py")
    attribution_oracle = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(attribution_oracle)

    assert typing.get_args(Model) == MODELS
    assert tuple(choice.value for choice in ModelChoice) == MODELS
    assert _check_values("app.tenant_settings", "reporting_model") == [set(MODELS)]
    assert typing.get_args(AttributionSettings.model_fields["reporting_model"].annotation) == MODELS
    assert attribution_oracle.MODELS == MODELS
    marts = yaml.safe_load((ROOT / "dbt_project/models/marts/_marts.yml").read_text())
    daily = next(m for m in marts["models"] if m["name"] == "fct_daily_channel_credits")
    model_column = next(c for c in daily["columns"] if c["name"] == "model")
    assert tuple(model_column["data_tests"][0]["accepted_values"]["arguments"]["values"]) == MODELS
    # The wide mart spells each model in its column names: <model>_credit and <model>_revenue_credit.
    credits = next(m for m in marts["models"] if m["name"] == "fct_touch_credits")
    columns = {c["name"] for c in credits["columns"]}
    assert {f"{m}_credit" for m in MODELS} | {f"{m}_revenue_credit" for m in MODELS} <= columns
    wide = (ROOT / "dbt_project/models/marts/fct_touch_credits.sql").read_text()
    assert [m for m in MODELS if f"{m}_credit" not in wide or f"{m}_revenue_credit" not in wide] == []
    for path in MODEL_SQL:
        text = (ROOT / path).read_text()
        assert [m for m in MODELS if f"'{m}'" not in text] == [], path
        assert set(re.findall(r"'(\w+_touch|linear|time_decay|position_based)'", text)) == set(MODELS), path


def test_the_first_partition_day_has_one_source():
    from pipelines.defs.partitions import FIRST_DAY, daily_partitions
    from pipelines.operations import _partition_range

    assert daily_partitions.start.date() == FIRST_DAY
    assert _partition_range(FIRST_DAY.replace(year=2019), FIRST_DAY)[0] == FIRST_DAY.isoformat()


def test_catalog_enumerations_have_one_source(database):
    from earmark.catalog import entities

    for table, column, values in (
        ("catalog.advertisers", "kind", entities.ADVERTISER_KINDS),
        ("catalog.placements", "slot", entities.SLOTS),
        ("catalog.placements", "kind", entities.PLACEMENT_KINDS),
        ("catalog.placements", "pricing", entities.PRICING),
        ("catalog.ad_slots", "kind", entities.AD_SLOT_KINDS),
    ):
        assert _check_values(table, column) == [set(values)], (table, column)
    # Every column of every catalog table is in its entity's spec (and model), and nothing else is.
    with db.connect("owner") as conn:
        for spec in entities.SPECS.values():
            found = [row[0] for row in conn.execute(
                "select attname from pg_attribute where attrelid = %s::regclass and attnum > 0 "
                "and not attisdropped and attname not in ('tenant_id', 'updated_at') order by attnum",
                [f"catalog.{spec.name}"])]
            assert sorted(found) == sorted(spec.columns), spec.name
