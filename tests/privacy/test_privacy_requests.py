"""Data-subject requests end to end: recorded through the API with their audit entry, carried out by the
Dagster job, erasure recomputing exactly the affected conversion dates and proving by a catalog scan that
no trace is left, an interrupted erasure finishing on the next run, access exported once to its requester,
and rectification re-keying a subject's rows."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from earmark import db
from earmark.privacy import processing, pseudonyms, registry
from earmark.sqlfiles import load
from pipelines import runner

SUBJECT = "Erase.Me@Example.com"  # sent as a user id: stored only as its pseudonym
ADMIN = ["attribution:read", "users:admin"]

# erase-me converts on 03-02 (beside keeper) and alone on 03-03; other converts on 03-05 (untouched);
# dup-1 is keeper's second id, merged into keeper by a rectification.
EVENTS = (
    "event_id,user_id,occurred_at,event_type,channel,campaign_id,revenue\n"
    f"e1,{SUBJECT},2026-03-01T09:00:00Z,touchpoint,podcast,cmp-a,\n"
    f"e2,{SUBJECT},2026-03-02T09:00:00Z,touchpoint,search,cmp-s,\n"
    f"e3,{SUBJECT},2026-03-02T10:00:00Z,conversion,,,80\n"
    f"e4,{SUBJECT},2026-03-03T08:00:00Z,touchpoint,social,cmp-x,\n"
    f"e5,{SUBJECT},2026-03-03T09:00:00Z,conversion,,,40\n"
    "k1,keeper,2026-03-01T10:00:00Z,touchpoint,podcast,cmp-a,\n"
    "k2,keeper,2026-03-02T11:00:00Z,conversion,,,100\n"
    "d1,dup-1,2026-03-04T10:00:00Z,touchpoint,search,cmp-s,\n"
    "k3,keeper,2026-03-05T11:00:00Z,conversion,,,60\n"
    "o1,other,2026-03-04T10:00:00Z,touchpoint,podcast,cmp-b,\n"
    "o2,other,2026-03-05T12:00:00Z,conversion,,,30\n"
    f"bad,{SUBJECT},2026-03-02T10:00:00Z,purchase,,,\n"  # rejected: unknown event_type, names the subject
)


def credits(tenant_id, user: str | None = None) -> list[tuple]:
    with db.connect("transformer") as conn:
        return conn.execute(
            "select conversion_date::text, user_id, channel, round(linear_credit::numeric, 6), "
            "round(first_touch_credit::numeric, 6) from analytics.fct_touch_credits "
            "where tenant_id = %s and (%s::text is null or user_id = %s) order by 1, 2, 3",
            [tenant_id, user, user]).fetchall()


def dates_in(tenant_id, table: str) -> list[str]:
    with db.connect("transformer") as conn:
        return [r[0] for r in conn.execute(
            f"select distinct conversion_date::text from analytics.{table} where tenant_id = %s order by 1",
            [tenant_id]).fetchall()]


@pytest.fixture
def attributed(make_tenant, tmp_path, dagster_instance):
    tenant = make_tenant()
    path = tmp_path / "events.csv"
    path.write_text(EVENTS)
    ingested = runner.ingest(str(tenant.id), [str(path)])
    assert ingested.success, ingested.error
    done = runner.attribute("2026-03-01", "2026-03-06", tenant_id=str(tenant.id))
    assert done.success, done.error
    return tenant


def request(client, caller, **body) -> dict:
    answer = client.post("/api/v1/privacy/requests", headers=caller.headers, json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_erasure_interrupted_after_the_delete_finishes_and_leaves_no_trace(attributed, make_key, client):
    tenant = attributed
    stored = pseudonyms.email_pseudonym(SUBJECT)
    assert credits(tenant.id, SUBJECT) == []  # never stored in clear
    assert {r[1] for r in credits(tenant.id)} == {stored, "keeper", "other"}
    assert dates_in(tenant.id, "fct_daily_channel_credits") == ["2026-03-02", "2026-03-03", "2026-03-05"]
    keeper_before, other_before = credits(tenant.id, "keeper"), credits(tenant.id, "other")

    admin = make_key(tenant, ADMIN)
    made = request(client, admin, type="erasure", subject="someone", email=SUBJECT)
    assert made["status"] == "pending" and made["phase"] == "received"
    received = made["received_at"]
    got, due = datetime.fromisoformat(received), datetime.fromisoformat(made["due_at"])
    assert (due.month - got.month) % 12 == 1 and timedelta(days=28) <= due - got <= timedelta(days=31)

    # the run dies after the delete: raw rows are gone, the derived rows not yet recomputed
    with db.connect("owner") as conn:
        assert processing.delete_phase(conn, str(tenant.id), made["id"]) == "deleted"
    middle = client.get(f"/api/v1/privacy/requests/{made['id']}", headers=admin.headers).json()
    assert middle["phase"] == "deleted" and middle["status"] == "pending"
    assert middle["evidence"]["rows_removed"]["raw.events"] == 5
    # the quarantined line naming the subject is overwritten, its row kept: the batch still balances
    assert middle["evidence"]["rows_removed"]["raw.rejected_events.record"] == 1
    assert "raw.rejected_events" not in middle["evidence"]["rows_removed"]
    with db.connect("owner") as conn:
        assert conn.execute("select record, reason is not null from raw.rejected_events where tenant_id = %s",
                            [tenant.id]).fetchall() == [(registry.TOMBSTONE, True)]
        for check in ("pipelines.defs.ingest", "pipelines.defs.downloads"):
            assert conn.execute(load(check, "unbalanced_batches")).fetchone() == (0,), check
    assert middle["evidence"]["affected_dates"] == ["2026-03-02", "2026-03-03"]
    assert {r[1] for r in credits(tenant.id)} == {stored, "keeper", "other"}

    # the next run (the job the sensor starts) picks it up where it stopped
    done = runner.privacy_requests()
    assert done.success, done.error
    assert done.metadata[made["id"]] == "completed"
    finished = client.get(f"/api/v1/privacy/requests/{made['id']}", headers=admin.headers).json()
    assert finished["status"] == "completed" and finished["completed_at"]
    evidence = finished["evidence"]
    assert evidence["recompute"]["dates"] == ["2026-03-02", "2026-03-03"]
    assert evidence["scan"]["traces_found"] == {}
    assert evidence["scan"]["tables_scanned"] >= 40
    assert {"raw.events", "analytics.fct_touch_credits", "downloads.requests", "app.audit_log"} <= set(
        evidence["scan"]["tables"])

    # exactly the affected dates changed: 03-03 (the subject's only) is gone from every attribution mart
    assert {r[1] for r in credits(tenant.id)} == {"keeper", "other"}
    for table in ("fct_touch_credits", "fct_daily_channel_credits", "fct_conversion_paths"):
        assert dates_in(tenant.id, table) == ["2026-03-02", "2026-03-05"], table
    assert credits(tenant.id, "keeper") == keeper_before
    assert credits(tenant.id, "other") == other_before

    with db.connect("owner") as conn:
        sealed, key = conn.execute("select subject_sealed, subject_key from app.privacy_requests "
                                   "where tenant_id = %s and id = %s", [tenant.id, made["id"]]).fetchone()
        log = conn.execute("select actor, action, target, changes::text from app.audit_log "
                           "where tenant_id = %s order by seq", [tenant.id]).fetchall()
    assert sealed is None and key == pseudonyms.subject_key("someone")
    assert ("privacy_request_created", f"privacy_request:{made['id']}") in {(a, t) for _, a, t, _ in log}
    assert (f"key:{admin.key_id}", "privacy_request_created") in {(actor, a) for actor, a, _, _ in log}
    assert not [entry for entry in log if SUBJECT.lower() in str(entry).lower() or stored in str(entry)]

    # the scan itself finds a trace that is still there (a sanity check that it can fail)
    scanned, hits = processing.scan(str(tenant.id), ["keeper"])
    assert hits["raw.events.user_id"] == 3 and hits["analytics.fct_touch_credits.user_id"] >= 2

    # a second run changes nothing: the request is done
    again = runner.privacy_requests()
    assert again.success and made["id"] not in again.metadata


def test_access_export_covers_every_registered_column_once_to_its_requester(attributed, make_key, client):
    tenant = attributed
    admin, other_admin = make_key(tenant, ADMIN), make_key(tenant, ADMIN)
    made = request(client, admin, type="access", subject="keeper")
    url = f"/api/v1/privacy/requests/{made['id']}/export"
    assert client.get(url, headers=admin.headers).status_code == 409  # not ready yet
    assert runner.privacy_requests(made["id"]).success
    assert client.get(url, headers=other_admin.headers).status_code == 403
    answer = client.get(url, headers=admin.headers)
    assert answer.status_code == 200, answer.text
    document = answer.json()
    covered = {(v["table"], v["column"]) for v in document["values"]}
    # every registered column that reaches a subject by id and holds keeper's data in this tenant (found by
    # the catalog scan), and no column outside the registry holds it
    _, hits = processing.scan(str(tenant.id), ["keeper"])
    found = {tuple(key.rsplit(".", 1)) for key in hits}
    registered = {(c.table, c.column) for c in registry.columns() if c.subject == "user_id"}
    assert found <= registered
    assert covered == found
    assert {("raw.events", "user_id"), ("analytics.fct_touch_credits", "user_id")} <= covered
    assert sum(1 for v in document["values"] if v["table"] == "raw.events") == 3
    assert {r["event_id"] for r in document["records"]["raw.events"]} == {"k1", "k2", "k3"}
    assert all(v["value"] == "keeper" for v in document["values"])
    gone = client.get(url, headers=admin.headers)
    assert gone.status_code == 410 and "already downloaded" in gone.json()["detail"]
    with db.connect("owner") as conn:
        actions = [r[0] for r in conn.execute("select action from app.audit_log where tenant_id = %s "
                                              "order by seq", [tenant.id]).fetchall()]
    assert actions.count("data_exported") == 1


def test_rectification_merges_two_ids_and_recomputes_their_dates(attributed, make_key, client):
    tenant = attributed
    # before: dup-1's search touch on 03-04 belongs to no conversion; keeper's 03-05 path is empty
    assert [r[2] for r in credits(tenant.id, "keeper") if r[0] == "2026-03-05"] == ["(none)"]
    made = request(client, make_key(tenant, ADMIN), type="rectification", subject="dup-1",
                   new_subject="keeper")
    done = runner.privacy_requests(made["id"])
    assert done.success and done.metadata[made["id"]] == "completed", done.error
    after = [r for r in credits(tenant.id, "keeper") if r[0] == "2026-03-05"]
    assert [(r[2], float(r[3])) for r in after] == [("search", 1.0)]
    assert [r for r in credits(tenant.id, "keeper") if r[0] == "2026-03-02"] == [
        ("2026-03-02", "keeper", "podcast", 1, 1)]
    with db.connect("owner") as conn:
        assert conn.execute("select count(*) from raw.events where tenant_id = %s and user_id = 'dup-1'",
                            [tenant.id]).fetchone()[0] == 0
    evidence = client.get(f"/api/v1/privacy/requests/{made['id']}",
                          headers=make_key(tenant, ADMIN).headers).json()["evidence"]
    assert evidence["rows_rekeyed"] == {"raw.events": 1}
    assert evidence["recompute"]["dates"] == ["2026-03-02", "2026-03-05"]


def test_bad_requests_get_one_clear_sentence(make_tenant, make_key, client):
    tenant = make_tenant()
    admin = make_key(tenant, ADMIN)
    reader = make_key(tenant, ["attribution:read"])
    body = {"type": "erasure", "subject": "u1"}
    assert client.post("/api/v1/privacy/requests", headers=reader.headers, json=body).status_code == 403
    wrong = client.post("/api/v1/privacy/requests", headers=admin.headers,
                        json={"type": "rectification", "subject": "u1"})
    assert wrong.status_code == 422 and "corrected id" in wrong.json()["detail"]
    email = client.post("/api/v1/privacy/requests", headers=admin.headers,
                        json={"type": "access", "subject": "u1", "email": "not-an-email"})
    assert email.status_code == 422 and "not an email address" in email.json()["detail"]
    assert client.get("/api/v1/privacy/requests/00000000-0000-0000-0000-000000000001",
                      headers=admin.headers).status_code == 404
    listed = client.get("/api/v1/privacy/requests", headers=admin.headers).json()
    assert listed == {"data": []}
    assert json.dumps(listed)
