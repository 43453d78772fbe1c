"""Pixel events (issue 17): the optional ip, user_agent and survey_answer columns of the canonical event file.

The address is stored only as its household key (the keyed HMAC request logs store as ip_key) and sealed;
no table ever holds it in clear, not even a rejected row's record.
"""

from __future__ import annotations

import json
import uuid

import pytest
from cryptography.exceptions import InvalidTag

from earmark import db
from earmark.downloads.addresses import AddressKeys, ip_key, parse
from earmark.ingest import ingest_file, pixels

HEADER = "event_id,user_id,occurred_at,event_type,channel,ip,user_agent,survey_answer"
AT = "2026-03-01T10:00:00Z"
CLEAR = ("203.0.113.7", "2001:db8:1:2:aaaa::1", "2001:db8:1:2:bbbb:cccc:dddd:1", "198.51.100.23",
         "198.51.100.99", "192.0.2.44")
LINES = [
    HEADER,
    f"v1,u1,{AT},touchpoint,site_visit, 203.0.113.7 ,  Mozilla/5.0 (X11; Linux x86_64)  ,",    # 1
    f'v2,u2,{AT},touchpoint,site_visit,2001:db8:1:2:aaaa::1,"Mozilla/5.0 (KHTML, like Gecko)",',  # 2
    f"v3,u3,{AT},touchpoint,site_visit,2001:db8:1:2:bbbb:cccc:dddd:1,Safari/17,",               # 3
    f"v4,u4,{AT},touchpoint,site_visit,::ffff:203.0.113.7,Safari/17,",                          # 4
    f"s1,u5,{AT},touchpoint,survey,,,  I heard it on Tech Weekly  ",                             # 5
    f"bad,u6,{AT},touchpoint,site_visit,999.1.2.3,Safari/17,",                                   # 6 bad ip
    "c1,u1,2026-03-02T10:00:00Z,conversion,,,,",                                                  # 7
    f"x1,u7,{AT},click,site_visit,198.51.100.23,Safari/17,",                                     # 8 bad type
    f"x2,u8,{AT},touchpoint,site_visit,198.51.100.99,Safari/17,,extra",                          # 9 malformed
    f"x3,u9,{AT},touchpoint,site_visit,192.0.2.44,{'a' * 1001},",                                # 10 too long
]


def write(tmp_path, name, lines):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def stored(tenant_id) -> dict[str, dict]:
    with db.connect("transformer") as conn:
        cur = conn.execute(
            "select event_id, household_key, ip_sealed, user_agent, survey_answer, channel from raw.events "
            "where tenant_id = %s order by event_id", [tenant_id])
        names = [c.name for c in cur.description]
        return {row[0]: dict(zip(names, row, strict=True)) for row in cur}


def rejected(tenant_id) -> dict[int, tuple[str, str]]:
    with db.connect("transformer") as conn:
        rows = conn.execute("select row_number, reason, record from raw.rejected_events where tenant_id = %s",
                            [tenant_id]).fetchall()
    return {number: (reason, record) for number, reason, record in rows}


def key_of(text: str) -> int:
    return AddressKeys.from_settings().macs([ip_key(parse(text))])[0]


@pytest.fixture
def loaded(tmp_path, make_tenant):
    tenant = make_tenant()
    path = write(tmp_path, "pixels.csv", LINES)
    return tenant, path, ingest_file(tenant.id, path)


def test_pixel_rows_load_with_their_household_key_and_user_agent(loaded):
    tenant, _, result = loaded
    assert (result.rows, result.loaded, result.duplicates, result.rejected) == (10, 6, 0, 4)
    events = stored(tenant.id)
    assert sorted(events) == ["c1", "s1", "v1", "v2", "v3", "v4"]
    assert events["v1"]["household_key"] == key_of("203.0.113.7")
    # privacy addresses of one /64 are one household; an IPv4-mapped IPv6 address is its IPv4 address
    assert events["v2"]["household_key"] == events["v3"]["household_key"] == key_of("2001:db8:1:2::1")
    assert events["v2"]["household_key"] == AddressKeys.from_settings().macs(["2001:db8:1:2::/64"])[0]
    assert events["v4"]["household_key"] == events["v1"]["household_key"]
    assert events["v1"]["household_key"] != events["v2"]["household_key"]
    assert events["v1"]["user_agent"] == "Mozilla/5.0 (X11; Linux x86_64)"
    assert events["v2"]["user_agent"] == "Mozilla/5.0 (KHTML, like Gecko)"
    assert events["s1"]["survey_answer"] == "I heard it on Tech Weekly"
    for empty in ("s1", "c1"):
        assert events[empty]["household_key"] is None and events[empty]["ip_sealed"] is None
    assert events["c1"]["user_agent"] is None and events["c1"]["survey_answer"] is None


def test_the_sealed_address_opens_only_for_its_tenant_and_event(loaded):
    tenant, _, _ = loaded
    events = stored(tenant.id)
    assert pixels.open_event_ip(tenant.id, "v1", events["v1"]["ip_sealed"]) == "203.0.113.7"
    assert pixels.open_event_ip(tenant.id, "v2", events["v2"]["ip_sealed"]) == "2001:db8:1:2:aaaa::1"
    assert pixels.open_event_ip(tenant.id, "v4", events["v4"]["ip_sealed"]) == "203.0.113.7"
    assert events["v1"]["ip_sealed"] != events["v4"]["ip_sealed"]  # a fresh nonce per event
    with pytest.raises(InvalidTag):
        pixels.open_event_ip(tenant.id, "v4", events["v1"]["ip_sealed"])
    with pytest.raises(InvalidTag):
        pixels.open_event_ip(uuid.uuid4(), "v1", events["v1"]["ip_sealed"])
    sealed = pixels.seal_event_ip(tenant.id, "e9", "192.0.2.1")
    assert pixels.open_event_ip(tenant.id, "e9", sealed) == "192.0.2.1"


def test_no_table_holds_an_address_in_clear(loaded):
    tenant, _, _ = loaded
    with db.connect("transformer") as conn:
        texts = [row[0] for table in ("raw.events", "raw.rejected_events", "raw.ingest_batches")
                 for row in conn.execute(f"select t::text from {table} as t where tenant_id = %s",
                                         [tenant.id])]
    assert len(texts) == 6 + 4 + 1
    for text in texts:
        for address in (*CLEAR, "::ffff:203.0.113.7"):
            assert address not in text, (address, text)


def test_a_bad_ip_is_rejected_with_its_row_and_the_record_withholds_addresses(loaded):
    tenant, _, _ = loaded
    found = rejected(tenant.id)
    assert sorted(found) == [6, 8, 9, 10]
    assert found[6] == ("ip 999.1.2.3 is not an IP address",
                        f"bad,u6,{AT},touchpoint,site_visit,(ip withheld),Safari/17,")
    assert found[8] == ("unknown event_type click; use touchpoint or conversion",
                        f"x1,u7,{AT},click,site_visit,(ip withheld),Safari/17,")
    assert found[9] == ("expected 8 fields, found 9",
                        f"x2,u8,{AT},touchpoint,site_visit,(ip withheld),Safari/17,,extra")
    assert found[10][0] == "a field is longer than 1000 characters"
    assert found[10][1].startswith(f"x3,u9,{AT},touchpoint,site_visit,(ip withheld),aaa")


def test_reingesting_the_same_file_is_all_duplicates(loaded):
    tenant, path, _ = loaded
    before = stored(tenant.id)
    again = ingest_file(tenant.id, path)
    assert (again.rows, again.loaded, again.duplicates, again.rejected) == (10, 0, 6, 4)
    assert stored(tenant.id) == before
    assert len(rejected(tenant.id)) == 4  # this batch's own rejects, under its own batch id
    with db.connect("transformer") as conn:
        assert conn.execute("select count(*) from raw.rejected_events where tenant_id = %s",
                            [tenant.id]).fetchone()[0] == 8


def test_a_later_load_of_a_tenant_stages_the_pixel_columns(tmp_path, make_tenant):
    tenant = make_tenant()
    ingest_file(tenant.id, write(tmp_path, "first.csv", ["event_id,user_id,occurred_at,event_type,channel",
                                                          f"t1,u1,{AT},touchpoint,podcast"]))
    result = ingest_file(tenant.id, write(tmp_path, "later.csv", [
        "event_id,user_id,occurred_at,event_type,channel,ip,promo_code",
        f"v1,u1,{AT},touchpoint,site_visit,192.0.2.10,",
        f"v2,u1,{AT},touchpoint,site_visit,192.0.2.10,SAVE10",
    ]))
    assert (result.loaded, result.rejected) == (2, 0) and "copy_stage" in result.phases
    events = stored(tenant.id)
    assert events["v1"]["household_key"] == events["v2"]["household_key"] == key_of("192.0.2.10")
    assert pixels.open_event_ip(tenant.id, "v2", events["v2"]["ip_sealed"]) == "192.0.2.10"
    assert events["t1"]["household_key"] is None


def test_a_big_first_load_copies_pixel_columns_into_the_partition(tmp_path, make_tenant):
    tenant = make_tenant()
    lines = ["event_id,user_id,occurred_at,event_type,channel,ip,user_agent"]
    lines += [f"v{i:05d},u{i % 500},{AT},touchpoint,site_visit,10.0.{i % 7}.{i % 3},UA/{i % 2}"
              for i in range(20_000)]
    result = ingest_file(tenant.id, write(tmp_path, "big.csv", lines))
    assert result.loaded == 20_000 and "copy_partition" in result.phases
    with db.connect("transformer") as conn:
        keys = conn.execute(
            "select count(distinct household_key), count(*) filter (where ip_sealed is null), "
            "count(distinct user_agent) from raw.events where tenant_id = %s", [tenant.id]).fetchone()
        sealed = conn.execute("select ip_sealed from raw.events where tenant_id = %s and event_id = 'v00011'",
                              [tenant.id]).fetchone()[0]
    assert keys == (21, 0, 2)  # 7 x 3 addresses
    assert pixels.open_event_ip(tenant.id, "v00011", sealed) == "10.0.4.2"


def test_json_lines_pixel_events_load(tmp_path, make_tenant):
    tenant = make_tenant()
    rows = [{"event_id": "j1", "user_id": "u1", "occurred_at": AT, "event_type": "touchpoint",
             "channel": "site_visit", "ip": "2001:db8:9:9::5", "user_agent": "UA"},
            {"event_id": "j2", "user_id": "u1", "occurred_at": AT, "event_type": "touchpoint",
             "channel": "survey", "survey_answer": "a podcast"}]
    path = tmp_path / "pixels.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n{not json 2001:db8:9:9::6\n")
    result = ingest_file(tenant.id, path)
    assert (result.loaded, result.rejected) == (2, 1)
    events = stored(tenant.id)
    assert events["j1"]["household_key"] == key_of("2001:db8:9:9::1")
    assert events["j2"]["survey_answer"] == "a podcast" and events["j2"]["household_key"] is None
    reason, record = rejected(tenant.id)[3]
    assert reason.startswith("not valid JSON") and record == "{not json (ip withheld)"


def test_a_file_without_the_new_columns_loads_as_before(tmp_path, make_tenant):
    tenant = make_tenant()
    result = ingest_file(tenant.id, write(tmp_path, "plain.csv", [
        "event_id,user_id,occurred_at,event_type,channel,campaign_id,revenue",
        f"t1,u1,{AT},touchpoint,podcast,cmp-a,",
        "c1,u1,2026-03-02T10:00:00Z,conversion,,,12.5",
    ]))
    assert (result.rows, result.loaded, result.duplicates, result.rejected) == (2, 2, 0, 0)
    events = stored(tenant.id)
    assert sorted(events) == ["c1", "t1"]
    assert all(e["household_key"] is None and e["ip_sealed"] is None and e["user_agent"] is None
               and e["survey_answer"] is None for e in events.values())


def test_only_a_user_agent_column_needs_no_address(tmp_path, make_tenant):
    tenant = make_tenant()
    result = ingest_file(tenant.id, write(tmp_path, "ua.csv", [
        "event_id,user_id,occurred_at,event_type,channel,user_agent",
        f"t1,u1,{AT},touchpoint,site_visit, UA/1 ",
    ]))
    assert result.loaded == 1
    assert stored(tenant.id)["t1"]["user_agent"] == "UA/1"


def test_withholding_leaves_what_is_no_address():
    line = "e1,u1,2026-03-01T10:00:00Z,touchpoint,cafe,10.1.2.3,fe80::1%eth0,49.90,::ffff:192.0.2.1."
    assert pixels.withhold_addresses(line) == (
        "e1,u1,2026-03-01T10:00:00Z,touchpoint,cafe,(ip withheld),(ip withheld)%eth0,49.90,(ip withheld)")
