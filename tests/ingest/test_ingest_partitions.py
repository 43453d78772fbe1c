"""raw.events by tenant (migration 0016): a tenant's first big load is COPYed into its own new partition,
later loads go through the stage; both store exactly the same rows, and every partition is as isolated
as raw.events itself."""

from __future__ import annotations

import csv

import psycopg
import pytest
from psycopg.rows import dict_row

from earmark import db
from earmark.catalog.importer import import_file
from earmark.ingest import ingest_file, service
from isolation_catalog import isolation_violations

COLUMNS = ("event_id, user_id, occurred_at, event_type, channel, campaign_id, revenue, source, currency, "
           "show_id, episode_id, placement_id, promo_code, vanity_url")
FILE = (
    "event_id,user_id,occurred_at,event_type,channel,campaign_id,revenue,source,currency,show_id,"
    "episode_id,placement_id,promo_code,vanity_url\n"
    "t1,u1,2026-09-02T10:00:00Z,touchpoint,podcast,,,promo_code,,,,,one-20,\n"
    "t2,u1,2026-09-02T11:00:00+02:00,touchpoint,podcast,,,vanity_url,,,,,,HTTPS://www.A.com/One/?x=1\n"
    "t3,u2,2026-09-02T12:00:00.123456Z,touchpoint,podcast,c9,,podcast_impression,,s2,e7,p3,,\n"
    "c1,u1,2026-09-03T09:30:00Z,conversion,,,49.90,checkout,usd,,,,,\n"
    "c2,u2,2026-09-03T09:31:00Z,conversion,,,0,checkout,EUR,,,,NOPE,\n"
    "t1,u1,2026-09-05T10:00:00Z,touchpoint,search,,,,,,,,,\n"            # a duplicate within the file
    "t4,u3,2026-09-02T13:00:00Z,touchpoint,,,,,,,,,,\n"                  # rejected: no channel
)


def _catalog(tenant_id, folder):
    """Promo code ONE20 and vanity URL a.com/one of campaign c1 (the spellings the file varies)."""
    for kind, rows in (
        ("advertisers", [{"advertiser_id": "a", "name": "A"}]),
        ("shows", [{"show_id": "s1", "title": "One"}]),
        ("campaigns", [{"campaign_id": "c1", "advertiser_id": "a", "name": "C", "starts_on": "2026-09-01",
                        "ends_on": "2026-09-30", "currency": "USD"}]),
        ("promo_codes", [{"code": "ONE20", "campaign_id": "c1", "show_id": "s1"}]),
        ("vanity_urls", [{"url": "a.com/one", "campaign_id": "c1"}]),
    ):
        path = folder / f"{tenant_id}-{kind}.csv"
        with path.open("w", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        import_file(tenant_id, kind, path)


def _stored(tenant_id) -> list[tuple]:
    with db.connect("transformer") as conn:
        return conn.execute(f"select {COLUMNS} from raw.events where tenant_id = %s order by event_id",
                            [tenant_id]).fetchall()


def _partition(tenant_id) -> dict | None:
    """What the catalog says of the tenant's partition of raw.events, read as the owner."""
    with db.connect("owner") as conn, conn.cursor(row_factory=dict_row) as cur:
        return cur.execute("""
            select c.relrowsecurity as enabled, c.relforcerowsecurity as forced,
                   (select array_agg(polname::text order by polname) from pg_policy where polrelid = c.oid)
                       as policies,
                   (select inhparent::regclass::text from pg_inherits where inhrelid = c.oid) as parent,
                   pg_get_expr(c.relpartbound, c.oid) as bound,
                   (select count(*) from pg_index where indrelid = c.oid) as indexes,
                   (select array_agg(a.attname::text order by a.attname) from pg_attrdef d
                    join pg_attribute a on a.attrelid = d.adrelid and a.attnum = d.adnum
                    where d.adrelid = c.oid) as defaults,
                   has_table_privilege('earmark_transformer', c.oid, 'insert') as transformer_inserts,
                   has_table_privilege('earmark_api', c.oid, 'select') as api_selects,
                   c.reltuples >= 0 as analyzed
            from pg_class c where c.oid = to_regclass('raw.' || raw.events_partition_name(%s))""",
                           [tenant_id]).fetchone()


@pytest.mark.parametrize("first_load", ["copied into the new partition", "staged"])
def test_a_first_load_stores_what_the_staged_path_stores(tmp_path, make_tenant, monkeypatch, first_load):
    """The same file into two tenants, one by each path: identical rows, one partition each."""
    reference, tenant = make_tenant(), make_tenant()
    for each in (reference, tenant):
        _catalog(each.id, tmp_path)
    path = tmp_path / "events.csv"
    path.write_text(FILE)
    monkeypatch.setattr(service, "DIRECT_LOAD_MIN_ROWS", 10**9)
    staged = ingest_file(reference.id, path)
    monkeypatch.setattr(service, "DIRECT_LOAD_MIN_ROWS", 1 if first_load.startswith("copied") else 10**9)
    result = ingest_file(tenant.id, path)
    assert "copy_partition" in result.phases if first_load.startswith("copied") else "copy_partition" \
        not in result.phases
    assert (result.rows, result.loaded, result.duplicates, result.rejected) == (7, 5, 1, 1)
    assert (staged.rows, staged.loaded, staged.duplicates, staged.rejected) == (7, 5, 1, 1)
    rows = _stored(tenant.id)
    assert rows == _stored(reference.id)
    linked = {row[0]: (row[5], row[9], row[12], row[13]) for row in rows}  # campaign, show, code, url
    assert linked == {"t1": ("c1", "s1", "ONE20", None), "t2": ("c1", None, None, "a.com/one"),
                      "t3": ("c9", "s2", None, None), "c1": (None, None, None, None),
                      "c2": (None, None, "NOPE", None)}
    with db.connect("transformer") as conn:
        stamps = conn.execute("select distinct batch_id::text, loaded_at from raw.events "
                              "where tenant_id = %s", [tenant.id]).fetchall()
        started = conn.execute("select started_at from raw.ingest_batches where batch_id = %s",
                               [result.batch_id]).fetchone()[0]
    assert len(stamps) == 1 and stamps[0][0] == result.batch_id and stamps[0][1] >= started

    partition = _partition(tenant.id)
    assert partition == {
        "enabled": True, "forced": True, "policies": ["platform_all", "tenant_isolation"],
        "parent": "raw.events", "bound": f"FOR VALUES IN ('{tenant.id}')", "indexes": 2,
        "defaults": ["loaded_at", "revenue"], "transformer_inserts": False, "api_selects": False,
        "analyzed": True,  # at attach: a never-analysed partition misleads the next anti-join's plan
    }
    with db.connect("owner") as conn:
        assert isolation_violations(conn) == dict.fromkeys(isolation_violations(conn), [])


def test_later_loads_of_a_tenant_drop_what_its_partition_already_holds(tmp_path, make_tenant, monkeypatch):
    tenant = make_tenant()
    _catalog(tenant.id, tmp_path)
    monkeypatch.setattr(service, "DIRECT_LOAD_MIN_ROWS", 1)
    path = tmp_path / "events.csv"
    path.write_text(FILE)
    first = ingest_file(tenant.id, path)
    again = ingest_file(tenant.id, path)
    assert (again.rows, again.loaded, again.duplicates, again.rejected) == (7, 0, 6, 1)
    assert "copy_stage" not in again.phases  # nothing new: no row was staged
    more = tmp_path / "more.csv"
    more.write_text(FILE.splitlines()[0] + "\n"
                    "t1,u1,2026-09-09T10:00:00Z,touchpoint,search,,,,,,,,,\n"          # loaded before
                    "t9,u1,2026-09-09T10:00:00Z,touchpoint,podcast,,,promo_code,,,,,One 20,\n")
    later = ingest_file(tenant.id, more)
    assert (later.loaded, later.duplicates) == (1, 1)
    rows = {row[0]: row for row in _stored(tenant.id)}
    assert len(rows) == first.loaded + 1
    assert rows["t1"][4] == "podcast"  # the first load's t1 is kept, not the later file's
    assert (rows["t9"][5], rows["t9"][9], rows["t9"][12]) == ("c1", "s1", "ONE20")


def test_only_the_transformer_makes_partitions_and_never_for_an_unknown_tenant(make_tenant, api_conn):
    tenant = make_tenant()
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        api_conn.execute("select raw.create_events_partition(%s, gen_random_uuid(), now())", [tenant.id])
    api_conn.rollback()
    with db.connect("transformer") as conn, pytest.raises(psycopg.errors.ForeignKeyViolation), \
            conn.transaction():
        conn.execute("select raw.create_events_partition(gen_random_uuid(), gen_random_uuid(), now())")
    # A row for a tenant without a partition has nowhere to go: refused, not parked in a default partition.
    with db.connect("transformer") as conn, pytest.raises(psycopg.errors.CheckViolation), \
            db.tenant_transaction(conn, tenant.id):
        conn.execute("insert into raw.events (tenant_id, event_id, user_id, occurred_at, event_type, "
                     "channel, batch_id) values (%s, 'e', 'u', now(), 'touchpoint', 'x', gen_random_uuid())",
                     [tenant.id])
    assert _partition(tenant.id) is None
