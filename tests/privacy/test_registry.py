"""The personal-data registry matches the database: every column that looks personal (by its name, or a
`personal` tag on a dbt column) is registered, and every registered column exists."""

from __future__ import annotations

import json

import pytest

from earmark import db
from earmark.privacy import registry
from earmark.sqlfiles import load
from pipelines import runner
from pipelines.defs.attribution.project import manifest_path

EVENTS = ("event_id,user_id,occurred_at,event_type,channel,campaign_id,revenue\n"
          "t1,u1,2026-02-20T10:00:00Z,touchpoint,podcast,cmp-a,\n"
          "c1,u1,2026-03-01T12:00:00Z,conversion,,,100\n")


@pytest.fixture(scope="module")
def built(database, tmp_path_factory):
    """The dbt marts exist (they hold personal columns too): one tiny attribution run."""
    from earmark import tenancy
    with db.connect("owner") as conn:
        tenant = tenancy.create_tenant(conn, "registry-check")
    path = tmp_path_factory.mktemp("registry") / "events.csv"
    path.write_text(EVENTS)
    assert runner.ingest(str(tenant.id), [str(path)]).success
    done = runner.attribute("2026-03-01", "2026-03-01", tenant_id=str(tenant.id))
    assert done.success, done.error


def catalog() -> list[tuple[str, str]]:
    with db.connect("owner") as conn:
        return [tuple(r) for r in conn.execute(load("earmark.privacy", "catalog_columns")).fetchall()]


def tagged() -> set[tuple[str, str]]:
    return registry.manifest_personal(json.loads(manifest_path().read_text()))


def test_every_personal_looking_column_is_registered_and_every_registered_one_exists(built):
    found = catalog()
    assert ("analytics.fct_touch_credits", "user_id") in found  # the marts were read, not only app tables
    assert registry.unregistered(found, tagged()) == []
    assert registry.missing(found) == []


def test_dbt_columns_tagged_personal_are_found_in_the_manifest():
    expected = {("analytics.fct_touch_credits", "user_id"), ("analytics.fct_conversion_paths", "user_id")}
    assert expected <= tagged()


def test_an_unregistered_personal_column_fails_the_check(built):
    with db.connect("owner") as conn:
        conn.execute("create table raw.newsletter_signups (tenant_id uuid, contact_email text, note text)")
        try:
            found = [tuple(r) for r in conn.execute(load("earmark.privacy", "catalog_columns")).fetchall()]
        finally:
            conn.execute("drop table raw.newsletter_signups")
    assert registry.unregistered(found, tagged()) == ["raw.newsletter_signups.contact_email"]
    # and a dbt column tagged personal that nobody registered
    assert registry.unregistered(catalog(), tagged() | {("analytics.fct_touch_credits", "channel")}) == [
        "analytics.fct_touch_credits.channel"]


def test_a_registered_column_that_is_gone_fails_the_check(built):
    without = [pair for pair in catalog() if pair != ("raw.rejected_events", "record")]
    assert registry.missing(without) == ["raw.rejected_events.record"]


def test_every_entry_says_how_erasure_treats_it():
    entries = registry.columns()
    assert len(entries) >= 30
    assert all(e.kind in registry.KINDS and e.erasure in registry.ERASURES and e.subject in registry.SUBJECTS
               for e in entries)
    # what is kept despite an erasure says why
    assert all(e.note for e in entries if e.erasure == "retain")
