"""`earmark attribution export` prints the model x channel totals the marts hold, for one tenant."""

from __future__ import annotations

import csv
import io
import json

import pytest
from attribution_helpers import event, events_frame, load_events, run_dbt
from typer.testing import CliRunner

from earmark.cli import app


@pytest.mark.slow
def test_export_by_channel_and_campaign(make_tenant):
    tenant = make_tenant()
    load_events(tenant.id, events_frame([
        event("t1", "u1", 0, channel="podcast", campaign="c1"),
        event("t2", "u1", 3600, channel="search"),
        event("c1", "u1", 7200, "conversion", revenue=100.0),
        event("c2", "u2", 7200, "conversion", revenue=50.0),
    ]))
    run_dbt("build", dbt_vars={"attribution_tenant_id": str(tenant.id)})
    runner = CliRunner()
    by_channel = runner.invoke(app, ["attribution", "export", "--tenant", str(tenant.id)])
    assert by_channel.exit_code == 0, by_channel.output
    rows = list(csv.DictReader(io.StringIO(by_channel.output)))
    assert list(rows[0]) == ["model", "channel", "conversions", "revenue"]
    table = {(r["model"], r["channel"]): (float(r["conversions"]), float(r["revenue"])) for r in rows}
    assert table[("first_touch", "podcast")] == (1.0, 100.0)
    assert table[("last_touch", "search")] == (1.0, 100.0)
    assert table[("linear", "podcast")] == (0.5, 50.0)
    assert table[("position_based", "search")] == (0.5, 50.0)
    assert table[("time_decay", "(none)")] == (1.0, 50.0)
    assert {m for m, _ in table} == {"first_touch", "last_touch", "linear", "time_decay", "position_based"}

    by_campaign = runner.invoke(app, ["attribution", "export", "--tenant", str(tenant.id), "--by", "campaign",
                                      "--format", "json", "--start", "2026-09-01", "--end", "2026-09-01"])
    data = json.loads(by_campaign.output)
    assert {"model": "linear", "channel": "search", "campaign_id": "(none)", "conversions": 0.5,
            "revenue": 50.0} in data

    empty = runner.invoke(app, ["attribution", "export", "--tenant", str(tenant.id), "--start", "2027-01-01"])
    assert empty.output == "model,channel,conversions,revenue\n"
